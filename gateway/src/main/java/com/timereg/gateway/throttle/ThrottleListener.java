package com.timereg.gateway.throttle;

import com.timereg.gateway.clientip.Cidr;

/**
 * Hears of blocks being issued and lifted, e.g. to persist and propagate them or to audit.
 * Called synchronously on the thread that made the change, which may be the request path: keep it
 * quick and hand slow work (a database write) to another thread. Exceptions are logged and dropped.
 */
public interface ThrottleListener {
  /** A block started: {@link Origin#LOCAL} ones should be propagated, {@link Origin#REMOTE} ones not. */
  default void blockIssued(BlockEntry block, Origin origin) {}

  /** A block ended: lifted here ({@link Origin#LOCAL}), elsewhere ({@link Origin#REMOTE}) or by expiry. */
  default void blockLifted(Cidr subject, BlockKind kind, Origin origin) {}
}
