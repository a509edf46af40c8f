package com.timereg.gateway.login;

/** Password changes and checks; the Micrometer implementation sits beside it. */
public interface PasswordChangeMetrics {
  /**
   * A password change refused, once per reason: too_short, too_long, breached, too_guessable,
   * breach_check_unavailable, wrong_current_password, password_not_used, malformed.
   */
  void refusal(String reason);

  /** One policy check (strength estimate and breach lookup), time on the pool thread. */
  void estimate(long nanos);

  /** A password was changed. */
  void changed();

  PasswordChangeMetrics NONE = new PasswordChangeMetrics() {
    @Override
    public void refusal(String reason) {}

    @Override
    public void estimate(long nanos) {}

    @Override
    public void changed() {}
  };
}
