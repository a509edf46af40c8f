package com.timereg.gateway.admin;

/** Counts login outcomes; {@link MicrometerLoginEventMetrics} in production. */
public interface LoginEventMetrics {
  /**
   * @param succeeded the outcome
   * @param detail the method of a success or the failure kind's metric tag
   */
  void attempt(boolean succeeded, String detail);

  LoginEventMetrics NONE = (succeeded, detail) -> {};
}
