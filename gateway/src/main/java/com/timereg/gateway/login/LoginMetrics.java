package com.timereg.gateway.login;

/** Login attempts by outcome; the Micrometer implementation sits beside it. */
public interface LoginMetrics {
  /** One attempt; {@code outcome} is success, invalid, sso_required, blocked, busy or error. */
  void attempt(String method, String outcome);

  LoginMetrics NONE = (method, outcome) -> {};
}
