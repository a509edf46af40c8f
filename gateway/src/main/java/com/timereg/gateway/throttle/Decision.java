package com.timereg.gateway.throttle;

import com.timereg.gateway.clientip.Cidr;

/**
 * The answer of a block check. {@link #ALLOWED} is a shared constant so the common case allocates
 * nothing.
 *
 * @param allowed whether the request may proceed
 * @param kind what blocks it (null when allowed)
 * @param subject the blocked address block (null when allowed)
 * @param reason why (null when allowed)
 * @param untilMillis when the block ends, epoch milliseconds (0 when allowed)
 * @param retryAfterSeconds the Retry-After value to send, at least 1 (0 when allowed)
 */
public record Decision(
    boolean allowed, BlockKind kind, Cidr subject, BlockReason reason, long untilMillis, long retryAfterSeconds) {

  public static final Decision ALLOWED = new Decision(true, null, null, null, 0L, 0L);

  static Decision blocked(BlockKind kind, Cidr subject, BlockReason reason, long untilMillis, long nowMillis) {
    long seconds = Math.max(1L, (untilMillis - nowMillis + 999L) / 1000L);
    return new Decision(false, kind, subject, reason, untilMillis, seconds);
  }
}
