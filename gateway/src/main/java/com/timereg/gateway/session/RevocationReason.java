package com.timereg.gateway.session;

/** Why a session was ended before its time; stored in {@code sessions.revoked_reason}. */
public enum RevocationReason {
  LOGOUT("logout"),
  ADMIN("admin"),
  PASSWORD_CHANGE("password-change"),
  /** A refresh token was presented after it had been exchanged: the family may be stolen. */
  REUSE_DETECTED("reuse-detected"),
  /** The user was deactivated; noticed at the next refresh. */
  USER_DISABLED("user-disabled"),
  /**
   * The customer no longer allows the session's sign-in method (passwords once Microsoft sign-in is required, or
   * Microsoft sign-in once it is off); noticed at the next refresh.
   */
  SIGN_IN_METHOD_REFUSED("sign-in-method-refused");

  /** The database value and metric tag. */
  public final String value;

  RevocationReason(String value) {
    this.value = value;
  }
}
