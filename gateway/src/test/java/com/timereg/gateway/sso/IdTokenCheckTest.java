package com.timereg.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class IdTokenCheckTest {
  static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
  static final String ISSUER = "https://login.microsoftonline.com/7f1c/v2.0";
  static final IdTokenCheck.Expected EXPECTED =
      new IdTokenCheck.Expected(ISSUER, "client-1", "7f1c", "nonce-of-this-sign-in", Duration.ofMinutes(2));

  /** What Entra sends for a member of the tenant, issued a minute ago. */
  static JsonObject entraClaims() {
    long now = NOW.getEpochSecond();
    return new JsonObject()
        .put("iss", ISSUER).put("aud", "client-1").put("tid", "7f1c")
        .put("iat", now - 60).put("nbf", now - 60).put("exp", now + 3540)
        .put("nonce", "nonce-of-this-sign-in")
        .put("oid", "00000000-0000-0000-66f3-3332eca7ea81").put("sub", "pairwise-subject")
        .put("preferred_username", "alice@contoso.example").put("email", "Alice@Contoso.example");
  }

  static IdTokenCheck.Result check(JsonObject claims) {
    return IdTokenCheck.check(claims, EXPECTED, NOW);
  }

  @Test
  void acceptsAnEntraTokenAndTakesTheObjectIdAsSubject() {
    IdTokenCheck.Result r = check(entraClaims());
    assertThat(r.passed()).isTrue();
    assertThat(r.identity().subject()).isEqualTo("00000000-0000-0000-66f3-3332eca7ea81");
    assertThat(r.identity().email()).isEqualTo("Alice@Contoso.example");
    assertThat(r.identity().emailVerified()).isTrue();
  }

  @Test
  void withoutObjectIdTheSubjectIsSub() {
    JsonObject c = entraClaims();
    c.remove("oid");
    assertThat(check(c).identity().subject()).isEqualTo("pairwise-subject");
  }

  @Test
  void withoutEmailThePreferredUsernameIsTheAddressWhenItIsOne() {
    JsonObject c = entraClaims();
    c.remove("email");
    assertThat(check(c).identity().email()).isEqualTo("alice@contoso.example");
    c.put("preferred_username", "alice");
    assertThat(check(c).identity().email()).isNull();
  }

  /** Times no Instant holds: a refusal with its reason, not an exception that ends as "our database failed". */
  @Test
  void refusesTimesBeyondTheCalendarInsteadOfThrowing() {
    long now = NOW.getEpochSecond();
    assertThat(check(entraClaims().put("exp", 1e300)).refusal()).isEqualTo(SsoRefusal.TOKEN_INVALID);
    assertThat(check(entraClaims().put("exp", Instant.MAX.getEpochSecond())).refusal()).isEqualTo(SsoRefusal.TOKEN_INVALID);
    assertThat(check(entraClaims().put("iat", Long.MAX_VALUE)).refusal()).isEqualTo(SsoRefusal.TOKEN_INVALID);
    assertThat(check(entraClaims().put("nbf", -1e300)).refusal()).isEqualTo(SsoRefusal.TOKEN_INVALID);
    assertThat(check(entraClaims().put("exp", now + 3540)).passed()).isTrue();
  }

  @Test
  void refusesAnotherIssuer() {
    assertThat(check(entraClaims().put("iss", "https://login.microsoftonline.com/other/v2.0")).refusal())
        .isEqualTo(SsoRefusal.WRONG_ISSUER);
  }

  @Test
  void refusesAnotherAudienceOrAMissingOne() {
    assertThat(check(entraClaims().put("aud", "client-2")).refusal()).isEqualTo(SsoRefusal.WRONG_AUDIENCE);
    JsonObject none = entraClaims();
    none.remove("aud");
    assertThat(check(none).refusal()).isEqualTo(SsoRefusal.WRONG_AUDIENCE);
  }

  @Test
  void severalAudiencesNeedUsAsAuthorisedParty() {
    JsonObject c = entraClaims().put("aud", new JsonArray().add("client-1").add("client-9"));
    assertThat(check(c).refusal()).isEqualTo(SsoRefusal.WRONG_AUDIENCE);
    assertThat(check(c.put("azp", "client-1")).passed()).isTrue();
    assertThat(check(entraClaims().put("azp", "client-9")).refusal()).isEqualTo(SsoRefusal.WRONG_AUDIENCE);
  }

  @Test
  void refusesAnotherTenantOrNone() {
    assertThat(check(entraClaims().put("tid", "9999")).refusal()).isEqualTo(SsoRefusal.WRONG_TENANT);
    JsonObject none = entraClaims();
    none.remove("tid");
    assertThat(check(none).refusal()).isEqualTo(SsoRefusal.WRONG_TENANT);
  }

  @Test
  void tenantIdsCompareWithoutRegardToCase() {
    assertThat(IdTokenCheck.check(entraClaims().put("tid", "7F1C"), EXPECTED, NOW).passed()).isTrue();
  }

  @Test
  void expiryHasTheClockSkewAsToleranceAndNoMore() {
    long now = NOW.getEpochSecond();
    assertThat(check(entraClaims().put("exp", now - 119)).passed()).isTrue();
    assertThat(check(entraClaims().put("exp", now - 120)).refusal()).isEqualTo(SsoRefusal.TOKEN_EXPIRED);
    JsonObject none = entraClaims();
    none.remove("exp");
    assertThat(check(none).refusal()).isEqualTo(SsoRefusal.TOKEN_INVALID);
  }

  @Test
  void refusesATokenIssuedOrValidOnlyInTheFuture() {
    long now = NOW.getEpochSecond();
    assertThat(check(entraClaims().put("iat", now + 600)).refusal()).isEqualTo(SsoRefusal.TOKEN_INVALID);
    assertThat(check(entraClaims().put("nbf", now + 600)).refusal()).isEqualTo(SsoRefusal.TOKEN_INVALID);
    assertThat(check(entraClaims().put("iat", now + 60).put("nbf", now + 60)).passed()).isTrue();
  }

  @Test
  void refusesAnotherOrAMissingNonce() {
    assertThat(check(entraClaims().put("nonce", "nonce-of-an-earlier-sign-in")).refusal())
        .isEqualTo(SsoRefusal.NONCE_MISMATCH);
    JsonObject none = entraClaims();
    none.remove("nonce");
    assertThat(check(none).refusal()).isEqualTo(SsoRefusal.NONCE_MISMATCH);
  }

  @Test
  void refusesATokenWithoutUsableSubject() {
    JsonObject c = entraClaims();
    c.remove("oid");
    c.remove("sub");
    assertThat(check(c).refusal()).isEqualTo(SsoRefusal.TOKEN_INVALID);
    assertThat(check(entraClaims().put("oid", "x".repeat(256))).refusal()).isEqualTo(SsoRefusal.TOKEN_INVALID);
  }

  @Test
  void anAddressIsUnverifiedOnlyWhenTheProviderSaysSo() {
    assertThat(check(entraClaims().put("email_verified", false)).identity().emailVerified()).isFalse();
    assertThat(check(entraClaims().put("email_verified", "false")).identity().emailVerified()).isFalse();
    assertThat(check(entraClaims().put("xms_edov", false)).identity().emailVerified()).isFalse();
    assertThat(check(entraClaims().put("email_verified", true).put("xms_edov", true)).identity().emailVerified()).isTrue();
  }

  @Test
  void logDetailsOfUntrustedClaimsAreShortAndPrintable() {
    assertThat(IdTokenCheck.printable("a\nb")).isEqualTo("a?b");
    assertThat(IdTokenCheck.printable("x".repeat(500))).hasSize(123);
  }

  @Test
  void theC1ControlsAreControlCharactersToo() {
    // \p{Cntrl} is ASCII's only: NEL (U+0085, a line break to Unicode-aware readers) and CSI (U+009B, an 8-bit
    // terminal's ESC [) went into the log line, the audit note and the details of a refusal as they came.
    assertThat(IdTokenCheck.visible("a\u0085b\u009b2Jc\u0080")).isEqualTo("a?b?2Jc?");
    assertThat(IdTokenCheck.printable("hint\u0085forged")).isEqualTo("hint?forged");
  }
}
