package com.timereg.gateway.session;

/**
 * An access token was refused. Carries no stack trace: refusals are routine on the request path
 * (every expired cookie is one), and filling in a stack per request would cost more than the check.
 */
public final class TokenRejectedException extends RuntimeException {
  private final TokenRejection reason;

  public TokenRejectedException(TokenRejection reason) {
    super("access token rejected: " + reason.metricTag, null, false, false);
    this.reason = reason;
  }

  public TokenRejection reason() {
    return reason;
  }
}
