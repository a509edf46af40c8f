package com.timereg.gateway.session;

import java.util.Optional;

/** How a user proved who they are when the session started. */
public enum AuthMethod {
  PASSWORD("password"),
  SSO("sso");

  /** The value in the token's {@code method} claim and in {@code sessions.method}. */
  public final String value;

  AuthMethod(String value) {
    this.value = value;
  }

  public static Optional<AuthMethod> fromValue(String value) {
    for (AuthMethod m : values()) {
      if (m.value.equals(value)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }
}
