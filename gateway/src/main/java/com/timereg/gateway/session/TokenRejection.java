package com.timereg.gateway.session;

/** Why an access token was not accepted; the metric tag of {@code gateway.session.verification.failures}. */
public enum TokenRejection {
  /** Not three base64url segments of JSON, too long, or a header with {@code crit}. */
  MALFORMED("malformed"),
  /** The header's {@code alg} is not the configured algorithm ({@code none} included). */
  ALGORITHM("algorithm"),
  /** No {@code kid}, or one that is not among the configured keys. */
  UNKNOWN_KEY("unknown-key"),
  SIGNATURE("signature"),
  /** A claim we rely on is missing or of the wrong type. */
  CLAIMS("claims"),
  EXPIRED("expired"),
  /** Issued (or valid from) further in the future than the clock-skew tolerance allows. */
  NOT_YET_VALID("not-yet-valid"),
  /** The session was revoked (logout, admin, reuse, password change). */
  REVOKED("revoked");

  public final String metricTag;

  TokenRejection(String metricTag) {
    this.metricTag = metricTag;
  }
}
