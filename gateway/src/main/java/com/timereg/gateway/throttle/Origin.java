package com.timereg.gateway.throttle;

/** Whether a block change was decided on this node or arrived from another one. */
public enum Origin {
  /** Decided here: to be persisted and propagated. */
  LOCAL,
  /** Applied from propagation: must not be propagated again. */
  REMOTE,
  /** A block ran out by itself; every node sees that on its own. */
  EXPIRY
}
