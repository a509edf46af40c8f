package com.timereg.gateway.throttle;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the node-wide rate of invalid logins and switches surge mode on and off with
 * hysteresis: on at the configured rate, off only once the rate fell below a fraction of it and
 * the mode lasted its minimum duration, so a wave hovering near the threshold does not flap.
 *
 * <p>Synchronized: invalid logins arrive after a password verification, at most thousands per
 * second, so an uncontended lock costs nothing worth a lock-free design.
 */
final class SurgeDetector {
  private static final Logger LOG = LoggerFactory.getLogger(SurgeDetector.class);
  private static final long MINUTE_MS = 60_000L;

  private final ThrottlePolicy policy;
  private final ThrottleMetrics metrics;
  private long windowStart;
  private long current;
  private long previous;
  private boolean active;
  private long since;

  SurgeDetector(ThrottlePolicy policy, ThrottleMetrics metrics) {
    this.policy = policy;
    this.metrics = metrics;
  }

  synchronized boolean recordFailure(long now) {
    roll(now);
    current++;
    return evaluate(now);
  }

  synchronized boolean isActive(long now) {
    roll(now);
    return evaluate(now);
  }

  synchronized SurgeState state(long now) {
    roll(now);
    evaluate(now);
    return new SurgeState(active, since == 0 ? null : Instant.ofEpochMilli(since), rate(now),
        policy.surgeFailuresPerMinute(), leaveBelow(), policy.surgeLimitFactor());
  }

  private boolean evaluate(long now) {
    double rate = rate(now);
    if (!active && rate >= policy.surgeFailuresPerMinute()) {
      active = true;
      since = now;
      LOG.warn("Surge mode on: {} invalid logins in the last minute on this node (threshold {}); "
          + "client and range limits are multiplied by {}", Math.round(rate), policy.surgeFailuresPerMinute(),
          policy.surgeLimitFactor());
      metrics.surgeChanged(true);
    } else if (active && rate < leaveBelow() && now - since >= policy.surgeMinDuration().toMillis()) {
      LOG.warn("Surge mode off after {} s: {} invalid logins in the last minute (below {})",
          (now - since) / 1000, Math.round(rate), leaveBelow());
      active = false;
      since = now;
      metrics.surgeChanged(false);
    }
    return active;
  }

  private double leaveBelow() {
    return policy.surgeFailuresPerMinute() * policy.surgeExitRatio();
  }

  /**
   * A clock stepped back by at most a minute keeps counting in the current one rather than forget it; one put
   * back further (it ran ahead) starts afresh.
   */
  private void roll(long now) {
    long start = now - Math.floorMod(now, MINUTE_MS);
    if (start > windowStart || windowStart - start > MINUTE_MS) {
      previous = start - windowStart == MINUTE_MS ? current : 0;
      current = 0;
      windowStart = start;
    }
  }

  private double rate(long now) {
    double previousShare = (double) (MINUTE_MS - Math.max(0, now - windowStart)) / MINUTE_MS;
    return current + previous * previousShare;
  }
}
