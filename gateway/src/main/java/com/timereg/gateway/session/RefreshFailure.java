package com.timereg.gateway.session;

/**
 * Why a refresh token was refused. Every kind means "sign in again"; the kinds exist for logs,
 * metrics and tests, and a client is told no more than that.
 */
public enum RefreshFailure {
  /** Not a token we issued (wrong format or no such hash). */
  UNKNOWN("unknown"),
  /** The family passed its idle or absolute timeout. */
  EXPIRED("expired"),
  /** The token had already been exchanged: the whole family is now revoked. */
  REUSED("reused"),
  /** The family was revoked (logout, admin, password change, earlier reuse, user disabled). */
  REVOKED("revoked");

  public final String metricTag;

  RefreshFailure(String metricTag) {
    this.metricTag = metricTag;
  }
}
