package com.timereg.gateway.session;

/** Why a session was ended before its time; stored in {@code sessions.revoked_reason}. */
public enum RevocationReason {
  LOGOUT("logout"),
  ADMIN("admin"),
  PASSWORD_CHANGE("password-change"),
  /** A refresh token was presented after it had been exchanged: the family may be stolen. */
  REUSE_DETECTED("reuse-detected"),
  /** The user was deactivated; noticed at the next refresh. */
  USER_DISABLED("user-disabled");

  /** The database value and metric tag. */
  public final String value;

  RevocationReason(String value) {
    this.value = value;
  }
}
