package com.timereg.gateway.login;

/** Login attempts by outcome; the Micrometer implementation sits beside it. */
public interface LoginMetrics {
  /** One attempt; {@code outcome} is success, invalid, sso_required, blocked, busy or error. */
  void attempt(String method, String outcome);

  /**
   * How long one password login took, from its request to its answer (the per-name delay, the wait for a pool
   * thread and the verification included), under the same outcome as its {@link #attempt}.
   */
  default void passwordLogin(String outcome, long nanos) {}

  LoginMetrics NONE = (method, outcome) -> {};
}
