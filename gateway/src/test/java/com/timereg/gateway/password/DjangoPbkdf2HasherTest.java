package com.timereg.gateway.password;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class DjangoPbkdf2HasherTest {

  /** One line of make_django_fixtures.py's output. */
  record Fixture(String password, String encoded, String note) {
    @Override
    public String toString() {
      return note;
    }
  }

  static List<Fixture> djangoFixtures() throws IOException {
    try (InputStream in = DjangoPbkdf2HasherTest.class
        .getResourceAsStream("/password/django_pbkdf2_fixtures.tsv")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<Fixture> fixtures = text.lines()
          .filter(line -> !line.startsWith("#"))
          .map(line -> line.split("\t", -1))
          .map(f -> new Fixture(new String(HexFormat.of().parseHex(f[0]), StandardCharsets.UTF_8),
              f[1], f[2]))
          .toList();
      assertThat(fixtures).hasSizeGreaterThanOrEqualTo(18);
      return fixtures;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("djangoFixtures")
  void verifiesHashesMadeByPythonHashlibInDjangoFormat(Fixture fixture) {
    assertThat(DjangoPbkdf2Hasher.verify(fixture.password(), fixture.encoded()))
        .isEqualTo(Verification.MATCH);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("djangoFixtures")
  void reproducesDjangoEncodingExactlyFromSameSalt(Fixture fixture) {
    String[] parts = fixture.encoded().split("\\$");

    String encoded = DjangoPbkdf2Hasher.encode(fixture.password(), parts[2],
        Integer.parseInt(parts[1]));

    assertThat(encoded).isEqualTo(fixture.encoded());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("djangoFixtures")
  void refusesSlightlyWrongPasswords(Fixture fixture) {
    String[] wrong = {fixture.password() + "x", "x" + fixture.password(),
        fixture.password().toUpperCase(java.util.Locale.ROOT) + "!"};
    for (String candidate : wrong) {
      assertThat(DjangoPbkdf2Hasher.verify(candidate, fixture.encoded()).outcome())
          .isEqualTo(Verification.Outcome.MISMATCH);
    }
  }

  @Test
  void hashesTheStringAsTypedWithoutUnicodeNormalisation() throws IOException {
    Fixture precomposed = byNote("precomposed e-acute");
    Fixture combining = byNote("e + combining acute: different bytes, different hash");

    assertThat(DjangoPbkdf2Hasher.verify("cafe\u0301", precomposed.encoded()).matches()).isFalse();
    assertThat(DjangoPbkdf2Hasher.verify("caf\u00e9", combining.encoded()).matches()).isFalse();
  }

  @Test
  void newHashesUseDjangoFormatWithTwentyTwoCharacterAlphanumericSalt() {
    DjangoPbkdf2Hasher hasher = new DjangoPbkdf2Hasher(1_000);

    String first = hasher.hash("Sommer2024!");
    String second = hasher.hash("Sommer2024!");

    assertThat(first).matches("pbkdf2_sha256\\$1000\\$[a-zA-Z0-9]{22}\\$[A-Za-z0-9+/]{43}=");
    assertThat(second).isNotEqualTo(first);
    assertThat(DjangoPbkdf2Hasher.verify("Sommer2024!", first).matches()).isTrue();
    assertThat(DjangoPbkdf2Hasher.verify("Sommer2024!", second).matches()).isTrue();
  }

  @Test
  void defaultSettingsHashAtSixHundredThousandIterations() {
    DjangoPbkdf2Hasher hasher = new DjangoPbkdf2Hasher(PasswordSettings.DEFAULTS.iterations());

    String hash = hasher.hash("correct horse battery staple");

    assertThat(hash).startsWith("pbkdf2_sha256$600000$");
    assertThat(DjangoPbkdf2Hasher.verify("correct horse battery staple", hash).matches()).isTrue();
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', textBlock = """
      pbkdf2_sha1$1000$cat9ag498dyT5bl5GhcqrG$5BPCoxiODAaiCpGIxLoI65cPEHDQwAkoo6vdVZzX+vQ=      | unsupported algorithm pbkdf2_sha1
      argon2$argon2id$v=19$m=102400,t=2,p=8$c29tZXNhbHQ$aGFzaA                                  | unsupported algorithm argon2
      sekrit-hash-format$1000$cat9ag498dyT5bl5GhcqrG$5BPCoxiODAaiCpGIxLoI65cPEHDQwAkoo6vdVZzX+vQ= | not a pbkdf2_sha256 hash
      pbkdf2_sha256$abc$cat9ag498dyT5bl5GhcqrG$5BPCoxiODAaiCpGIxLoI65cPEHDQwAkoo6vdVZzX+vQ=      | iteration count is not a number
      pbkdf2_sha256$-1000$cat9ag498dyT5bl5GhcqrG$5BPCoxiODAaiCpGIxLoI65cPEHDQwAkoo6vdVZzX+vQ=    | iteration count is not a number
      pbkdf2_sha256$+1000$cat9ag498dyT5bl5GhcqrG$5BPCoxiODAaiCpGIxLoI65cPEHDQwAkoo6vdVZzX+vQ=    | iteration count is not a number
      pbkdf2_sha256$ 1000$cat9ag498dyT5bl5GhcqrG$5BPCoxiODAaiCpGIxLoI65cPEHDQwAkoo6vdVZzX+vQ=    | iteration count is not a number
      pbkdf2_sha256$$cat9ag498dyT5bl5GhcqrG$5BPCoxiODAaiCpGIxLoI65cPEHDQwAkoo6vdVZzX+vQ=         | iteration count is not a number
      pbkdf2_sha256$99999999999$cat9ag498dyT5bl5GhcqrG$5BPCoxiODAaiCpGIxLoI65cPEHDQwAkoo6vdVZzX+vQ= | iteration count is not a number
      pbkdf2_sha256$0$cat9ag498dyT5bl5GhcqrG$5BPCoxiODAaiCpGIxLoI65cPEHDQwAkoo6vdVZzX+vQ=        | iteration count has a leading zero
      pbkdf2_sha256$01000$cat9ag498dyT5bl5GhcqrG$5BPCoxiODAaiCpGIxLoI65cPEHDQwAkoo6vdVZzX+vQ=    | iteration count has a leading zero
      pbkdf2_sha256$10000001$cat9ag498dyT5bl5GhcqrG$5BPCoxiODAaiCpGIxLoI65cPEHDQwAkoo6vdVZzX+vQ= | iteration count above 10000000
      pbkdf2_sha256$1000$$5BPCoxiODAaiCpGIxLoI65cPEHDQwAkoo6vdVZzX+vQ=                          | salt empty
      pbkdf2_sha256$1000$cat9ag498dyT5bl5GhcqrG$5BPCoxiODAaiCpGIxLoI65cPEHDQwAkoo6vdVZzX+v!=      | key is not standard base64
      pbkdf2_sha256$1000$cat9ag498dyT5bl5GhcqrG$5BPCoxiODAaiCpGIxLoI65cPEHDQwAkoo6vdVZzX+vQ      | key is not 32 bytes in padded base64
      pbkdf2_sha256$1000$cat9ag498dyT5bl5GhcqrG$5BPCoxiODAaiCpGIxLoI65cPEHDQwAkoo6vdVZzX+vR=     | key is not 32 bytes in padded base64
      pbkdf2_sha256$1000$cat9ag498dyT5bl5GhcqrG$5BPCoxiODAaiCpGIxLoI65cPEHDQwAkoo6vdVZzX      | key is not 32 bytes in padded base64
      pbkdf2_sha256$1000$cat9ag498dyT5bl5GhcqrG$5BPCoxiODAaiCpGIxLoI65cPEHDQwAkoo6vdVZzX+vQ=$x   | expected 4 '$'-separated fields, found 5
      pbkdf2_sha256$1000$5BPCoxiODAaiCpGIxLoI65cPEHDQwAkoo6vdVZzX+vQ=                           | expected 4 '$'-separated fields, found 3
      !sdkjfhsdkjhfSDFkjhsdfkjhsdkfjhsdfkjhsdfkjhsdf                                            | unusable password (Django '!' marker)
      pbkdf2_sha256                                                                             | expected 4 '$'-separated fields, found 1
      """)
  void refusesMalformedStoredHashesWithLoggableReasonThatDoesNotEchoThem(String stored,
      String reasonStart) {
    Verification result = DjangoPbkdf2Hasher.verify("password", stored);

    assertThat(result.outcome()).isEqualTo(Verification.Outcome.MALFORMED);
    assertThat(result.matches()).isFalse();
    assertThat(result.reason()).startsWith("stored hash unusable: " + reasonStart);
    // Only a known Django algorithm name may be named; salt, key and anything unknown never are.
    String[] parts = stored.split("\\$");
    for (int i = 1; i < parts.length; i++) {
      if (parts[i].length() >= 8) {
        assertThat(result.reason()).doesNotContain(parts[i]);
      }
    }
    if (!reasonStart.startsWith("unsupported algorithm")) {
      assertThat(result.reason()).doesNotContain(parts[0]);
    }
  }

  @Test
  void missingStoredHashIsMalformedNotAnException() {
    assertThat(DjangoPbkdf2Hasher.verify("password", null).reason())
        .isEqualTo("stored hash unusable: no stored hash");
    assertThat(DjangoPbkdf2Hasher.verify("password", "").outcome())
        .isEqualTo(Verification.Outcome.MALFORMED);
  }

  @Test
  void nullPasswordIsAMismatchNotAnException() throws IOException {
    assertThat(DjangoPbkdf2Hasher.verify(null, byNote("ascii, low count").encoded()))
        .isEqualTo(Verification.MISMATCH);
  }

  /**
   * JSON lets a client send a lone surrogate ("\\ud800"), which has no UTF-8 form: Java's encoder writes '?'
   * for it, so it would verify as the password with a '?' in its place. Django can never be handed such a
   * string (its str.encode raises), and no stored password holds one (the policy refuses them).
   */
  @Test
  void aLoneSurrogateIsNotTheQuestionMarkItWouldBeEncodedAs() {
    String stored = DjangoPbkdf2Hasher.encode("pass?word", "somesalt", 1);

    assertThat(DjangoPbkdf2Hasher.verify("pass?word", stored)).isEqualTo(Verification.MATCH);
    assertThat(DjangoPbkdf2Hasher.verify("pass\ud800word", stored)).isEqualTo(Verification.MISMATCH);
    assertThat(DjangoPbkdf2Hasher.verify("pass\udc00word", stored)).isEqualTo(Verification.MISMATCH);
  }

  @Test
  void flagsHashesBelowPolicyIterationsForRehash() throws IOException {
    String at1000 = byNote("ascii, low count").encoded();
    String at600k = byNote("django 5 / OWASP default count").encoded();

    assertThat(DjangoPbkdf2Hasher.needsRehash(at1000, 600_000)).isTrue();
    assertThat(DjangoPbkdf2Hasher.needsRehash(at600k, 600_000)).isFalse();
    assertThat(DjangoPbkdf2Hasher.needsRehash(at600k, 260_000))
        .as("a policy lowered later must not downgrade stronger hashes").isFalse();
    assertThat(DjangoPbkdf2Hasher.needsRehash(at1000, 1_000)).isFalse();
  }

  @Test
  void flagsLegacyShortSaltsAndUnusableHashesForRehash() throws IOException {
    assertThat(DjangoPbkdf2Hasher.needsRehash(byNote("12-character legacy salt").encoded(), 1_000))
        .isTrue();
    assertThat(DjangoPbkdf2Hasher.needsRehash("md5$abc$def", 1_000)).isTrue();
  }

  @Test
  void unmatchableHashIsWellFormedAtConfiguredCountAndMatchesNothing() {
    DjangoPbkdf2Hasher hasher = new DjangoPbkdf2Hasher(2_000, new SecureRandom());

    String dummy = hasher.unmatchableHash();

    assertThat(dummy).matches("pbkdf2_sha256\\$2000\\$[a-zA-Z0-9]{22}\\$[A-Za-z0-9+/]{43}=");
    assertThat(hasher.needsRehash(dummy)).isFalse();
    for (String candidate : List.of("", "password", "Sommer2024!")) {
      assertThat(DjangoPbkdf2Hasher.verify(candidate, dummy)).isEqualTo(Verification.MISMATCH);
    }
  }

  @Test
  void parsedHashNeverPrintsSaltOrKey() throws Exception {
    String encoded = byNote("ascii, low count").encoded();

    assertThat(StoredHash.parse(encoded).toString())
        .isEqualTo("StoredHash[pbkdf2_sha256, iterations=1000]");
  }

  private static Fixture byNote(String note) throws IOException {
    return Stream.of(djangoFixtures().toArray(Fixture[]::new))
        .filter(f -> f.note().equals(note)).findFirst().orElseThrow();
  }
}
