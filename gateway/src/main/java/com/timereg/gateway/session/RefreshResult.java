package com.timereg.gateway.session;

import java.util.Objects;

/** The outcome of a refresh: new tokens, or why none were issued. */
public final class RefreshResult {
  private final IssuedTokens tokens;
  private final RefreshFailure failure;

  private RefreshResult(IssuedTokens tokens, RefreshFailure failure) {
    this.tokens = tokens;
    this.failure = failure;
  }

  public static RefreshResult refreshed(IssuedTokens tokens) {
    return new RefreshResult(Objects.requireNonNull(tokens), null);
  }

  public static RefreshResult refused(RefreshFailure failure) {
    return new RefreshResult(null, Objects.requireNonNull(failure));
  }

  public boolean succeeded() {
    return tokens != null;
  }

  /** The new tokens; only when {@link #succeeded()}. */
  public IssuedTokens tokens() {
    if (tokens == null) {
      throw new IllegalStateException("refresh was refused: " + failure);
    }
    return tokens;
  }

  /** Why the refresh was refused; null when it succeeded. */
  public RefreshFailure failure() {
    return failure;
  }

  @Override
  public String toString() {
    return succeeded() ? "RefreshResult[refreshed]" : "RefreshResult[refused: " + failure + "]";
  }
}
