package com.timereg.gateway.throttle;

/** Live values for gauges. */
public interface ThrottleStatus {
  boolean surgeActive();

  /** Active blocks of a kind, as counted by the last maintenance pass (manual: live). */
  long activeBlocks(BlockKind kind);

  /** Entries over capacity of the client map (clients = true) or the range map. */
  double fillRatio(boolean clients);
}
