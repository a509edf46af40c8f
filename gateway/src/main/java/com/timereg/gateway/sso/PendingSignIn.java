package com.timereg.gateway.sso;

import java.time.Instant;

/**
 * A sign-in sent to the provider and not yet back: a row of {@code sso_requests}.
 *
 * @param browserHash SHA-256 of the binding cookie of the browser that started it
 * @param loginHint the login name typed, or null
 * @param next the local path to go to afterwards
 */
record PendingSignIn(
    byte[] browserHash, long customerId, String nonce, String codeVerifier, String loginHint, String next,
    Instant createdAt, Instant expiresAt) {

  @Override
  public String toString() {
    return "PendingSignIn[customer=" + customerId + ", login=" + loginHint + ", expires=" + expiresAt + "]";
  }
}
