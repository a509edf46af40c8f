package com.timereg.gateway.session;

import java.time.Instant;
import java.util.Objects;

/**
 * What a login or refresh hands to the client: a signed access token and an opaque refresh token.
 * {@link #toString()} masks both tokens, so the record may be logged.
 *
 * @param accessToken the JWS, for {@code Authorization: Bearer} or the access cookie
 * @param accessExpiresAt when the access token stops being accepted
 * @param refreshToken the opaque token for the next refresh; exchanging it again is theft detection
 * @param refreshExpiresAt when the refresh token stops being accepted if not used (idle timeout,
 *     capped by the absolute timeout)
 * @param identity who the tokens are for
 */
public record IssuedTokens(
    String accessToken, Instant accessExpiresAt, String refreshToken, Instant refreshExpiresAt, SessionIdentity identity) {
  public IssuedTokens {
    Objects.requireNonNull(accessToken, "accessToken");
    Objects.requireNonNull(accessExpiresAt, "accessExpiresAt");
    Objects.requireNonNull(refreshToken, "refreshToken");
    Objects.requireNonNull(refreshExpiresAt, "refreshExpiresAt");
    Objects.requireNonNull(identity, "identity");
  }

  @Override
  public String toString() {
    return "IssuedTokens[accessToken=****, accessExpiresAt=" + accessExpiresAt + ", refreshToken=****, refreshExpiresAt="
        + refreshExpiresAt + ", identity=" + identity + "]";
  }
}
