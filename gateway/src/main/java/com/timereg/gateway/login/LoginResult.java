package com.timereg.gateway.login;

import com.timereg.gateway.session.IssuedTokens;

/** What a password login attempt came to; the HTTP layer maps each to a response. */
public sealed interface LoginResult {
  /** Logged in. */
  record Success(IssuedTokens tokens, UserRecord user) implements LoginResult {}

  /**
   * Wrong password, unknown or inactive user, or malformed input: one answer for all, so the
   * response does not tell which names exist.
   */
  record Invalid() implements LoginResult {}

  /** The user's customer requires Microsoft sign-in; a password is not accepted. */
  record SsoRequired(String loginName) implements LoginResult {}

  /** The verification pool is full: try again shortly (503 + Retry-After), not counted as invalid. */
  record Busy(int retryAfterSeconds) implements LoginResult {}

  /**
   * The client was blocked while this attempt waited (per-name delay, or guesses sent together with it):
   * refused unverified, like a blocked client at the entry (429 + Retry-After).
   */
  record Blocked(com.timereg.gateway.throttle.BlockKind kind, long retryAfterSeconds) implements LoginResult {}

  LoginResult INVALID = new Invalid();
}
