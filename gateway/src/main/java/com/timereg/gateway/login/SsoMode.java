package com.timereg.gateway.login;

import java.util.Locale;

/** Whether a customer's users sign in with Microsoft: only passwords, either, or only SSO. */
public enum SsoMode {
  DISABLED,
  OPTIONAL,
  REQUIRED;

  /** From the {@code customers.sso_mode} column, whose CHECK constraint allows only these three. */
  public static SsoMode fromColumn(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
