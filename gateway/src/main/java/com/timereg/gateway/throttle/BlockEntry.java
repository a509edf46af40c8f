package com.timereg.gateway.throttle;

import com.timereg.gateway.clientip.Cidr;
import java.time.Instant;

/**
 * One active block, for listing, events and propagation.
 *
 * @param subject the blocked address block
 * @param kind client, range or manual
 * @param reason why; {@link BlockReason#MANUAL} for manual blocks
 * @param note the administrator's text for manual blocks, otherwise empty
 * @param createdBy who set a manual block; "gateway" for automatic ones
 * @param since when the block started
 * @param until when it ends by itself
 * @param level escalation level (1 for a first block; 0 for manual blocks)
 * @param failures invalid logins counted for the subject since it was first seen (0 for manual)
 * @param firstFailure first invalid login seen, or null
 * @param lastFailure last invalid login seen, or null
 */
public record BlockEntry(
    Cidr subject,
    BlockKind kind,
    BlockReason reason,
    String note,
    String createdBy,
    Instant since,
    Instant until,
    int level,
    long failures,
    Instant firstFailure,
    Instant lastFailure) {

  public static final String AUTOMATIC_CREATOR = "gateway";
}
