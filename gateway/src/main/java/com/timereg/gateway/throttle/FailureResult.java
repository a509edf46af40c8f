package com.timereg.gateway.throttle;

import java.time.Duration;
import java.util.List;

/**
 * What recording an invalid login changed.
 *
 * @param issued blocks issued by this failure (client and/or range); persist and propagate these
 * @param accountDelay the delay to apply before the next verification for this login name
 */
public record FailureResult(List<BlockEntry> issued, Duration accountDelay) {
  static final FailureResult NOTHING = new FailureResult(List.of(), Duration.ZERO);

  public boolean blockIssued() {
    return !issued.isEmpty();
  }
}
