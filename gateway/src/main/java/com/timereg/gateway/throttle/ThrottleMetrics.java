package com.timereg.gateway.throttle;

/** What the throttle reports; {@link MicrometerThrottleMetrics} exports it. */
public interface ThrottleMetrics {
  ThrottleMetrics NOOP = new ThrottleMetrics() {};

  default void invalidLogin(FailureKind kind) {}

  default void blockIssued(BlockKind kind) {}

  default void blockExpired(BlockKind kind) {}

  default void surgeChanged(boolean active) {}

  /**
   * The throttle could not do its full job and degraded: {@code "client-map-full"} (counted at range
   * level only), {@code "range-map-full"} (not counted), {@code "store-error"} (check or count skipped).
   */
  default void degraded(String reason) {}

  /** Registers gauges reading from {@code status}; called once by the service. */
  default void bind(ThrottleStatus status) {}
}
