package com.timereg.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.VertxException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class TokenFailuresTest {
  @Test
  void anUnreachableTokenEndpointIsTheProvidersOutageNotARefusedCode() {
    assertThat(TokenFailures.ofExchange(new ConnectException("Connection refused")).refusal())
        .isEqualTo(SsoRefusal.PROVIDER_UNAVAILABLE);
    assertThat(TokenFailures.ofExchange(new TimeoutException("Timeout 10000 (ms) fired")).refusal())
        .isEqualTo(SsoRefusal.PROVIDER_UNAVAILABLE);
  }

  @Test
  void aRefusedSecretIsOurSetupAndARefusedCodeIsCounted() {
    SsoException secret = TokenFailures.ofExchange(new VertxException(
        "invalid_client: AADSTS7000215: Invalid client secret provided.", true));
    assertThat(secret.refusal()).isEqualTo(SsoRefusal.NOT_CONFIGURED);
    assertThat(secret.refusal().countsAsInvalidLogin()).isFalse();
    SsoException code = TokenFailures.ofExchange(new VertxException("invalid_grant: code already redeemed", true));
    assertThat(code.refusal()).isEqualTo(SsoRefusal.CODE_REJECTED);
    assertThat(code.refusal().countsAsInvalidLogin()).isTrue();
    // An expired token response is refused before this, by the callback (CodeExchangeBoundsTest).
  }

  @Test
  void anErrorPageOrATryLaterFromTheTokenEndpointIsTheProvidersOutageNotACountedRefusal() {
    // The library's words for a non-2xx answer without an OAuth error (status message: body), for an
    // OAuth "try later", and for a body that is no token response.
    for (String message : new String[] {"Internal Server Error: <html>down</html>", "Service Unavailable",
        "temporarily_unavailable: AADSTS90033: A transient error has occurred.", "server_error",
        "Cannot handle content type: text/html", "No Body"}) {
      SsoException e = TokenFailures.ofExchange(new VertxException(message, true));
      assertThat(e.refusal()).as(message).isEqualTo(SsoRefusal.PROVIDER_UNAVAILABLE);
      assertThat(e.refusal().countsAsInvalidLogin()).isFalse();
    }
    assertThat(TokenFailures.ofExchange(new VertxException("invalid_request: AADSTS900144: code missing", true)).refusal())
        .isEqualTo(SsoRefusal.CODE_REJECTED);
    assertThat(TokenFailures.ofExchange(new VertxException("invalid_grant", true)).refusal())
        .isEqualTo(SsoRefusal.CODE_REJECTED);
  }

  @Test
  void aTokenTheLibraryRefusedIsReportedByItsFirstFailingClaim() {
    String wrongIssuer = jwt(IdTokenCheckTest.entraClaims().put("iss", "https://evil.example/v2.0").encode());
    assertThat(TokenFailures.unaccepted(wrongIssuer, IdTokenCheckTest.EXPECTED, IdTokenCheckTest.NOW).refusal())
        .isEqualTo(SsoRefusal.WRONG_ISSUER);
    // Claims that would pass: then the signature is what the library refused.
    String goodClaims = jwt(IdTokenCheckTest.entraClaims().encode());
    assertThat(TokenFailures.unaccepted(goodClaims, IdTokenCheckTest.EXPECTED, IdTokenCheckTest.NOW).refusal())
        .isEqualTo(SsoRefusal.TOKEN_INVALID);
    assertThat(TokenFailures.unaccepted(null, IdTokenCheckTest.EXPECTED, IdTokenCheckTest.NOW).refusal())
        .isEqualTo(SsoRefusal.TOKEN_INVALID);
    assertThat(TokenFailures.unaccepted("not a jwt", IdTokenCheckTest.EXPECTED, IdTokenCheckTest.NOW).refusal())
        .isEqualTo(SsoRefusal.TOKEN_INVALID);
  }

  private static String jwt(String claims) {
    Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
    return b.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".c2lnbmF0dXJl";
  }
}
