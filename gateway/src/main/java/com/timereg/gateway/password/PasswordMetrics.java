package com.timereg.gateway.password;

import java.util.function.IntSupplier;

/** What the password subsystem reports; {@link MicrometerPasswordMetrics} is the real one. */
public interface PasswordMetrics {

  /** How a verification ended, as a metric tag. */
  enum Outcome {
    MATCH,
    MISMATCH,
    MALFORMED,
    /** The dummy verification run for a login name that does not exist. */
    UNKNOWN_USER,
    /** Refused by a full pool: no work was done. */
    SATURATED
  }

  /** A verification finished; {@code computeNanos} is the time on the pool thread. */
  void verification(Outcome outcome, long computeNanos);

  /** Time a task waited in the pool's queue before a thread took it. */
  void queueWait(long nanos);

  /** Registers the pool's live queue depth and active count, read when metrics are scraped. */
  void bindPool(IntSupplier queueDepth, IntSupplier activeCount);

  PasswordMetrics NONE = new PasswordMetrics() {
    @Override
    public void verification(Outcome outcome, long computeNanos) {}

    @Override
    public void queueWait(long nanos) {}

    @Override
    public void bindPool(IntSupplier queueDepth, IntSupplier activeCount) {}
  };
}
