package com.timereg.gateway.sso;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.TimeoutException;

/**
 * Turns what a failed code exchange reports (in the OAuth2 library's words, which {@code Providers.exchange} keeps)
 * into a refusal with a reason.
 */
final class TokenFailures {
  /**
   * The token endpoint's error codes (RFC 6749 section 5.2) by which it refuses what was sent: the library
   * reports an OAuth error answer as {@code "code: description"}. Any other failure (the provider's own
   * error page, "temporarily_unavailable", a body that is no token response) says nothing about the code.
   */
  private static final java.util.List<String> REFUSALS = java.util.List.of(
      "invalid_grant", "invalid_request", "unauthorized_client", "unsupported_grant_type", "invalid_scope");

  private TokenFailures() {}

  /**
   * A failed exchange: the provider unreachable or answering something other than a token response,
   * refusing our client (secret), or refusing the code (unknown, used, PKCE mismatch).
   */
  static SsoException ofExchange(Throwable e) {
    if (unreachable(e)) {
      return new SsoException(SsoRefusal.PROVIDER_UNAVAILABLE, "token endpoint unreachable: " + e);
    }
    String message = String.valueOf(e.getMessage());
    if (message.startsWith("invalid_client")) {
      // Our secret is wrong or expired: a setup problem of ours, not the person's nor an attack.
      return new SsoException(SsoRefusal.NOT_CONFIGURED, "the provider refused our client credentials: "
          + IdTokenCheck.printable(message));
    }
    if (REFUSALS.stream().anyMatch(code -> message.equals(code) || message.startsWith(code + ":"))) {
      return new SsoException(SsoRefusal.CODE_REJECTED, "the token endpoint refused the code: " + IdTokenCheck.printable(message));
    }
    // Not counted against the client: a provider in trouble would otherwise get its users' offices blocked.
    return new SsoException(SsoRefusal.PROVIDER_UNAVAILABLE, "the token endpoint answered no token response: "
        + IdTokenCheck.printable(message));
  }

  /**
   * The library accepted no ID token. To say why in the log and the metric, the same checks run on
   * the token's unverified claims; the answer is a refusal whichever reason is reported, so nothing
   * is trusted that should not be.
   */
  static SsoException unaccepted(String rawIdToken, IdTokenCheck.Expected expected, Instant now) {
    if (rawIdToken == null) {
      return new SsoException(SsoRefusal.TOKEN_INVALID, "the token response holds no id_token");
    }
    JsonObject claims = unverifiedClaims(rawIdToken);
    if (claims == null) {
      return new SsoException(SsoRefusal.TOKEN_INVALID, "the id_token is not a JWT");
    }
    IdTokenCheck.Result result = IdTokenCheck.check(claims, expected, now);
    return result.passed()
        ? new SsoException(SsoRefusal.TOKEN_INVALID, "the id_token's signature is not one of the provider's keys")
        : new SsoException(result.refusal(), result.detail() + " (claims of a token the library refused)");
  }

  private static JsonObject unverifiedClaims(String jwt) {
    String[] parts = jwt.split("\\.");
    if (parts.length < 2) {
      return null;
    }
    try {
      return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static boolean unreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException || t instanceof TimeoutException || t instanceof io.vertx.core.http.HttpClosedException
          || t instanceof io.vertx.core.http.StreamResetException) {
        return true;
      }
    }
    return false;
  }
}
