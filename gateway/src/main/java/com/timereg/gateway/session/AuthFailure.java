package com.timereg.gateway.session;

/**
 * Why a request is not authenticated, for the step after the authenticator to choose its answer
 * (a redirect to the login page, 401, or 503 when only the database was missing).
 */
public enum AuthFailure {
  /** Neither a bearer token of ours nor a session cookie. */
  NO_CREDENTIALS,
  /** An access token was presented and refused (bad, expired, unknown key), with no way to refresh. */
  INVALID_TOKEN,
  /**
   * A token of ours came with another {@code Authorization} header: which one counts would be a guess, so the
   * request is malformed (RFC 6750 3.1 {@code invalid_request}, 400), not its token invalid.
   */
  MALFORMED_REQUEST,
  /** The session is over: revoked, expired, or its refresh token was refused. */
  SESSION_ENDED,
  /** A refresh was needed but the database did not answer; signing in again would not help now. */
  UNAVAILABLE
}
