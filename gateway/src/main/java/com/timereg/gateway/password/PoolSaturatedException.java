package com.timereg.gateway.password;

/**
 * The verification pool has no room (or is closing): the caller should answer 503 with
 * {@code Retry-After: retryAfterSeconds()} instead of waiting. Carries no stack trace: it is an
 * expected load-shedding signal, not a bug, and it may be raised thousands of times a second.
 */
public final class PoolSaturatedException extends RuntimeException {
  private final int retryAfterSeconds;

  public PoolSaturatedException(String message, int retryAfterSeconds) {
    super(message, null, false, false);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
