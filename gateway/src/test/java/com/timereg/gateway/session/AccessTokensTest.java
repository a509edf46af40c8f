package com.timereg.gateway.session;

import com.timereg.gateway.testsupport.ManualClock;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(VertxExtension.class)
class AccessTokensTest {
  private static final SessionIdentity ALICE =
      new SessionIdentity(42, "acme", "alice", AuthMethod.PASSWORD, UUID.randomUUID().toString());

  private Vertx vertx;
  private ManualClock clock;
  private RevocationList revoked;
  private KeyPair pair;
  private TokenKeys keys;
  private AccessTokens tokens;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    clock = ManualClock.startingNow();
    revoked = new RevocationList();
    pair = TokenKeys.generate("ES256");
    keys = TestKeys.es256("k1", pair);
    tokens = tokens(keys, clock);
  }

  private AccessTokens tokens(TokenKeys k, ManualClock c) {
    return new AccessTokens(vertx, k, SessionSettings.DEFAULTS, revoked, SessionMetrics.NOOP, c);
  }

  @Test
  void signedTokenVerifiesToTheSameIdentityWithEveryClaim() {
    AccessTokens.Signed signed = tokens.sign(ALICE);

    assertThat(tokens.verify(signed.token()).result()).isEqualTo(ALICE);
    JsonObject header = Jws.header(signed.token());
    assertThat(header.getString("alg")).isEqualTo("ES256");
    assertThat(header.getString("kid")).isEqualTo("k1");
    JsonObject claims = Jws.payload(signed.token());
    assertThat(claims.fieldNames()).containsExactlyInAnyOrder("sub", "cust", "name", "method", "sid", "iat", "exp", "jti");
    assertThat(claims.getString("sub")).isEqualTo("42");
    assertThat(claims.getString("method")).isEqualTo("password");
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(300);
    assertThat(signed.expiresAt().getEpochSecond()).isEqualTo(claims.getLong("exp"));
    assertThat(tokens.sign(ALICE).token()).as("a fresh jti each time").isNotEqualTo(signed.token());
  }

  @Test
  void tokenResignedWithHs256OverThePublicKeyIsRefused() throws Exception {
    JsonObject claims = Jws.payload(tokens.sign(ALICE).token());
    JsonObject header = new JsonObject().put("alg", "HS256").put("typ", "JWT").put("kid", "k1");
    String overPem = Jws.hs256(header, claims, TestKeys.publicPem(pair).getBytes(StandardCharsets.US_ASCII));
    String overDer = Jws.hs256(header, claims, pair.getPublic().getEncoded());

    assertThat(rejection(tokens.verify(overPem))).isEqualTo(TokenRejection.ALGORITHM);
    assertThat(rejection(tokens.verify(overDer))).isEqualTo(TokenRejection.ALGORITHM);
  }

  @Test
  void algNoneIsRefusedWithOrWithoutASignature() {
    JsonObject claims = Jws.payload(tokens.sign(ALICE).token());
    String unsigned = Jws.b64(new JsonObject().put("alg", "none").put("kid", "k1")) + "." + Jws.b64(claims) + ".";
    String withJunk = unsigned + "c2lnbmF0dXJl";

    assertThat(rejection(tokens.verify(unsigned))).isEqualTo(TokenRejection.MALFORMED);
    assertThat(rejection(tokens.verify(withJunk))).isEqualTo(TokenRejection.ALGORITHM);
  }

  @Test
  void unknownOrMissingKeyIdIsRefused() throws Exception {
    JsonObject claims = Jws.payload(tokens.sign(ALICE).token());
    String unknown = Jws.es256(new JsonObject().put("alg", "ES256").put("kid", "k9"), claims, pair.getPrivate());
    String missing = Jws.es256(new JsonObject().put("alg", "ES256"), claims, pair.getPrivate());

    assertThat(rejection(tokens.verify(unknown))).isEqualTo(TokenRejection.UNKNOWN_KEY);
    assertThat(rejection(tokens.verify(missing))).isEqualTo(TokenRejection.UNKNOWN_KEY);
  }

  @Test
  void tokenSignedByAnotherKeyUnderOurKeyIdIsRefused() {
    AccessTokens impostor = tokens(TestKeys.es256("k1", TokenKeys.generate("ES256")), clock);

    assertThat(rejection(tokens.verify(impostor.sign(ALICE).token()))).isEqualTo(TokenRejection.SIGNATURE);
  }

  @Test
  void tamperedClaimsBreakTheSignature() {
    String genuine = tokens.sign(ALICE).token();
    assertThat(tokens.verify(genuine).succeeded()).as("remembered as verified").isTrue();
    String[] parts = genuine.split("\\.");
    String otherUser = Jws.b64(Jws.payload(parts[0] + "." + parts[1] + "." + parts[2]).put("sub", "1"));

    assertThat(rejection(tokens.verify(parts[0] + "." + otherUser + "." + parts[2]))).isEqualTo(TokenRejection.SIGNATURE);
  }

  @Test
  void headerWithCriticalExtensionIsRefusedEvenWhenSignedByUs() throws Exception {
    JsonObject claims = Jws.payload(tokens.sign(ALICE).token());
    JsonObject header = new JsonObject().put("alg", "ES256").put("kid", "k1").put("crit", List.of("exp-ext"));

    assertThat(rejection(tokens.verify(Jws.es256(header, claims, pair.getPrivate())))).isEqualTo(TokenRejection.MALFORMED);
  }

  @Test
  void claimsOfTheWrongShapeAreRefusedEvenWhenSignedByUs() throws Exception {
    JsonObject header = new JsonObject().put("alg", "ES256").put("kid", "k1");
    JsonObject good = Jws.payload(tokens.sign(ALICE).token());

    String numericSub = Jws.es256(header, good.copy().put("sub", 42), pair.getPrivate());
    String noSid = Jws.es256(header, good.copy().put("sid", null), pair.getPrivate());
    String badMethod = Jws.es256(header, good.copy().put("method", "magic"), pair.getPrivate());
    String tooLong = Jws.es256(header, good.copy().put("exp", good.getLong("iat") + 7200), pair.getPrivate());

    assertThat(rejection(tokens.verify(numericSub))).isEqualTo(TokenRejection.CLAIMS);
    assertThat(rejection(tokens.verify(noSid))).isEqualTo(TokenRejection.CLAIMS);
    assertThat(rejection(tokens.verify(badMethod))).isEqualTo(TokenRejection.CLAIMS);
    assertThat(rejection(tokens.verify(tooLong))).as("longer than we ever issue").isEqualTo(TokenRejection.CLAIMS);
  }

  @Test
  void timeClaimsOfTheWrongTypeAreRefusedAsClaimsRatherThanThrown() throws Exception {
    // Vert.x Auth reads exp, iat and nbf as numbers once the signature holds, and throws on anything else.
    JsonObject header = new JsonObject().put("alg", "ES256").put("kid", "k1");
    JsonObject good = Jws.payload(tokens.sign(ALICE).token());
    for (JsonObject claims : List.of(good.copy().put("exp", "soon"), good.copy().put("iat", "now"),
        good.copy().put("nbf", "now"), good.copy().put("iat", null), good.copy().put("exp", List.of(1)))) {
      String token = Jws.es256(header, claims, pair.getPrivate());

      Future<SessionIdentity> verified;
      try {
        verified = tokens.verify(token);
      } catch (RuntimeException e) {
        throw new AssertionError("verify threw for " + claims.encode(), e);
      }
      assertThat(rejection(verified)).as(claims.encode()).isEqualTo(TokenRejection.CLAIMS);
    }
  }

  @Test
  void tokenExpiresExactlyAtItsLifetimeOnTheInjectedClock() {
    String token = tokens.sign(ALICE).token();

    clock.advance(Duration.ofSeconds(299));
    assertThat(tokens.verify(token).succeeded()).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(rejection(tokens.verify(token))).isEqualTo(TokenRejection.EXPIRED);
  }

  @Test
  void tokenFromANodeWhoseClockRunsAheadIsRefusedBeyondTheSkewTolerance() {
    ManualClock ahead = new ManualClock(clock.instant().plusSeconds(20));
    ManualClock farAhead = new ManualClock(clock.instant().plusSeconds(120));

    assertThat(tokens.verify(tokens(keys, ahead).sign(ALICE).token()).succeeded()).isTrue();
    assertThat(rejection(tokens.verify(tokens(keys, farAhead).sign(ALICE).token()))).isEqualTo(TokenRejection.NOT_YET_VALID);
  }

  @Test
  void tokenAcceptedBeforeIsRefusedOnceItsSessionIsRevoked() {
    String token = tokens.sign(ALICE).token();
    assertThat(tokens.verify(token).succeeded()).isTrue();

    revoked.add(ALICE.sessionId(), clock.millis() + 60_000);
    assertThat(rejection(tokens.verify(token))).isEqualTo(TokenRejection.REVOKED);
  }

  @Test
  void rememberedTokensAreForgottenOnceExpired() {
    tokens.verify(tokens.sign(ALICE).token());
    clock.advance(Duration.ofMinutes(4));
    tokens.verify(tokens.sign(ALICE).token());

    assertThat(tokens.sweep(clock.instant())).isEqualTo(2);
    clock.advance(Duration.ofMinutes(1));
    assertThat(tokens.sweep(clock.instant())).isEqualTo(1);
  }

  @Test
  void onlyATokenVerifiedBeforeIsRememberedAndOnlyByItsExactText() {
    String token = tokens.sign(ALICE).token();
    String other = tokens.sign(ALICE).token();
    assertThat(tokens.verifyRemembered(token)).as("not verified yet").isNull();

    assertThat(tokens.verify(token).succeeded()).isTrue();
    assertThat(tokens.verifyRemembered(token).result()).isEqualTo(ALICE);
    assertThat(tokens.verifyRemembered(new String(token.toCharArray())).result()).as("an equal string").isEqualTo(ALICE);
    assertThat(tokens.verifyRemembered(token + "A")).as("one character more").isNull();
    assertThat(tokens.verifyRemembered(token.substring(1))).as("one character less").isNull();
    assertThat(tokens.verifyRemembered(other)).as("another token").isNull();
    // The same length and last characters, one character changed at the front: the whole text is compared.
    String changedFront = (token.charAt(0) == 'e' ? "f" : "e") + token.substring(1);
    assertThat(tokens.verifyRemembered(changedFront)).isNull();

    revoked.add(ALICE.sessionId(), clock.millis() + 60_000);
    assertThat(rejection(tokens.verifyRemembered(token))).as("revocation checked again")
        .isEqualTo(TokenRejection.REVOKED);
  }

  @Test
  void theFastPathSettlesABearerTokenWithWhiteSpaceAroundItBeforeAndAfterItIsRemembered() {
    SessionAuthenticator authenticator = new SessionAuthenticator(tokens, null, clock);
    String token = tokens.sign(ALICE).token();
    SessionAuthenticator.Settled expected = new SessionAuthenticator.Settled(ALICE, true);

    for (int round = 0; round < 2; round++) {
      // The first round verifies the token (the slow path), the second finds it remembered.
      assertThat(authenticator.settle(List.of("Bearer " + token), null)).isEqualTo(expected);
      assertThat(authenticator.settle(List.of("bearer \t " + token + "  "), null)).isEqualTo(expected);
    }
    assertThat(authenticator.settle(List.of("Bearer " + token, "Bearer " + token), null)).as("two").isNull();
    assertThat(authenticator.settle(List.of("Bearer " + token + "x"), null)).isNull();
    assertThat(authenticator.settle(List.of("Bearer x" + token), null)).isNull();
    assertThat(authenticator.settle(List.of("Bearer    "), null)).isNull();
    assertThat(authenticator.settle(List.of("Basic " + token), null)).isNull();
    assertThat(authenticator.settle(List.of("Bearer" + token), null)).isNull();
    assertThat(SessionAuthenticator.bearerToken(" Bearer " + token)).isNull();
    assertThat(SessionAuthenticator.bearerToken("Bearer \t" + token + " \r")).isEqualTo(token);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ES256", "ES384", "RS256", "EdDSA", "HS256"})
  void aSignatureSpelledOtherwiseThanAnEncoderWritesItIsRefused(String algorithm) {
    AccessTokens issuer = tokens(TokenKeys.ephemeral(algorithm), clock);
    String token = issuer.sign(ALICE).token();
    assertThat(issuer.verify(token).succeeded()).isTrue();
    int signatureChars = token.length() - token.lastIndexOf('.') - 1;
    // Bits of the last character that no byte uses: 4 when it carries 2 bits of the last byte, 2 when 4.
    int unused = signatureChars % 4 == 2 ? 0x0F : signatureChars % 4 == 3 ? 0x03 : 0;

    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int last = alphabet.indexOf(token.charAt(token.length() - 1));
    int spellings = 0;
    for (int c = 0; c < 64; c++) {
      if ((c & ~unused) == (last & ~unused) && c != last) {
        // The same bytes to a decoder, an unused bit set.
        spellings++;
        String other = token.substring(0, token.length() - 1) + alphabet.charAt(c);
        assertThat(rejection(issuer.verify(other))).as("ending %s", alphabet.charAt(c)).isEqualTo(TokenRejection.MALFORMED);
      }
    }
    assertThat(spellings).isEqualTo(unused);
    for (String extra : List.of("A", "x", "AA", "AAA", "AAAA", "=")) {
      assertThat(issuer.verify(token + extra).succeeded()).as("with %s appended", extra).isFalse();
    }
    assertThat(issuer.verify(token).succeeded()).as("the token as issued still passes").isTrue();
  }

  @Test
  void partsAreCanonicalWhenEveryLengthAndLastCharacterIsOneAnEncoderWrites() {
    assertThat(AccessTokens.canonicalParts("AAAA.AA.AAA")).isTrue();
    assertThat(AccessTokens.canonicalParts("AAAA.AQ.AAE")).as("used bits only: Q = 010000, E = 000100").isTrue();
    assertThat(AccessTokens.canonicalParts("AAAA.AB.AAA")).as("B sets an unused bit").isFalse();
    assertThat(AccessTokens.canonicalParts("AAAA.AA.AAB")).isFalse();
    assertThat(AccessTokens.canonicalParts("AAAAA.AA.AAA")).as("five characters: no whole byte").isFalse();
    assertThat(AccessTokens.canonicalParts("A_-A.g.AAA")).isFalse();
  }

  @Test
  void aRefusalIsCountedByVerifyAndNotByTheFastPathThatHandsTheRequestOn() {
    List<TokenRejection> counted = new java.util.concurrent.CopyOnWriteArrayList<>();
    SessionMetrics counting = new SessionMetrics() {
      @Override
      public void verificationFailed(TokenRejection reason) {
        counted.add(reason);
      }
    };
    AccessTokens countingTokens = new AccessTokens(vertx, keys, SessionSettings.DEFAULTS, revoked, counting, clock);
    SessionAuthenticator authenticator = new SessionAuthenticator(countingTokens, null, clock);
    String token = countingTokens.sign(ALICE).token();
    String respelled = token + "A";

    assertThat(authenticator.settle(List.of("Bearer " + respelled), null)).isNull();
    assertThat(authenticator.settle(List.of(), respelled)).isNull();
    assertThat(counted).as("the fast path counts nothing: the router decides again").isEmpty();
    assertThat(rejection(countingTokens.verify(respelled))).isEqualTo(TokenRejection.MALFORMED);
    assertThat(counted).containsExactly(TokenRejection.MALFORMED);

    assertThat(countingTokens.verify(token).succeeded()).isTrue();
    revoked.add(ALICE.sessionId(), clock.millis() + 60_000);
    assertThat(authenticator.settle(List.of("Bearer " + token), null)).as("remembered, then revoked").isNull();
    assertThat(counted).hasSize(1);
    assertThat(rejection(countingTokens.verify(token))).isEqualTo(TokenRejection.REVOKED);
    assertThat(counted).containsExactly(TokenRejection.MALFORMED, TokenRejection.REVOKED);
  }

  @Test
  void revokedSessionIsRefusedUntilItsEntryRunsOut() {
    String token = tokens.sign(ALICE).token();
    revoked.add(ALICE.sessionId(), clock.millis() + 1000);

    assertThat(rejection(tokens.verify(token))).isEqualTo(TokenRejection.REVOKED);
    clock.advance(Duration.ofSeconds(1));
    assertThat(tokens.verify(token).succeeded()).isTrue();
  }

  @Test
  void previousKeyStillVerifiesDuringRotationAndNotAfterItIsRemoved() {
    String oldToken = tokens.sign(ALICE).token();
    KeyPair next = TokenKeys.generate("ES256");
    AccessTokens rotated = tokens(TestKeys.es256("k2", next, TestKeys.verifying("k1", pair)), clock);
    AccessTokens afterRotation = tokens(TestKeys.es256("k2", next), clock);

    String newToken = rotated.sign(ALICE).token();
    assertThat(Jws.header(newToken).getString("kid")).isEqualTo("k2");
    assertThat(rotated.verify(oldToken).succeeded()).isTrue();
    assertThat(rotated.verify(newToken).succeeded()).isTrue();
    assertThat(afterRotation.verify(newToken).succeeded()).isTrue();
    assertThat(rejection(afterRotation.verify(oldToken))).isEqualTo(TokenRejection.UNKNOWN_KEY);
    assertThat(rejection(tokens.verify(newToken))).as("old nodes do not know k2 yet").isEqualTo(TokenRejection.UNKNOWN_KEY);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ES256", "ES384", "RS256", "EdDSA", "HS256"})
  void everySupportedAlgorithmSignsAndVerifiesAndRefusesTheOthers(String algorithm) {
    AccessTokens mine = tokens(TokenKeys.ephemeral(algorithm), clock);
    String token = mine.sign(ALICE).token();

    assertThat(Jws.header(token).getString("alg")).isEqualTo(algorithm);
    assertThat(mine.verify(token).result()).isEqualTo(ALICE);
    if (!algorithm.equals("ES256")) {
      assertThat(rejection(tokens.verify(token))).isIn(TokenRejection.ALGORITHM);
    }
  }

  @Test
  void garbageIsMalformed() {
    assertThat(rejection(tokens.verify(""))).isEqualTo(TokenRejection.MALFORMED);
    assertThat(rejection(tokens.verify("a.b"))).isEqualTo(TokenRejection.MALFORMED);
    assertThat(rejection(tokens.verify("a.b.c.d"))).isEqualTo(TokenRejection.MALFORMED);
    assertThat(rejection(tokens.verify("!!!.b.c"))).isEqualTo(TokenRejection.MALFORMED);
    assertThat(rejection(tokens.verify("x".repeat(5000) + ".b.c"))).isEqualTo(TokenRejection.MALFORMED);
  }

  static TokenRejection rejection(Future<?> verification) {
    assertThat(verification.isComplete()).as("verification completes without waiting").isTrue();
    assertThat(verification.failed()).as("token should be refused").isTrue();
    assertThat(verification.cause()).isInstanceOf(TokenRejectedException.class);
    return ((TokenRejectedException) verification.cause()).reason();
  }
}
