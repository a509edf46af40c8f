package com.timereg.gateway.password;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * NFKC can expand one typed character into many (U+FDFA becomes an 18-character phrase, U+2474 "(1)"
 * three). Length and strength must not be judged on that expansion: what a person types, and what an
 * attacker has to guess, is the short string.
 */
class NfkcExpansionPolicyTest {
  /** ARABIC LIGATURE SALLALLAHOU ALAYHE WASALLAM: one code point, 18 after NFKC. */
  private static final String ONE_CHAR_LIGATURE = "\uFDFA";

  private final PasswordPolicyChecker checker =
      new PasswordPolicyChecker(new StrengthEstimator(PasswordSettings.DEFAULT_ESTIMATE_MAX_CHARS, List.of()));

  /** A breach set that is loaded and holds nothing (also used by {@link UnpairedSurrogatePolicyTest}). */
  static final BreachedPasswords EMPTY_SET = new BreachedPasswords() {
    @Override
    public long prevalence(byte[] sha1) {
      return 0;
    }

    @Override
    public boolean available() {
      return true;
    }
  };

  @Test
  void aSingleTypedCharacterIsShorterThanTheMinimumWhateverItsNfkcExpansion() {
    PolicyCheck result = checker.check(ONE_CHAR_LIGATURE, PasswordPolicy.DEFAULTS, UserContext.NONE, EMPTY_SET);

    assertThat(result.meetsPolicy()).as("a one-character password").isFalse();
    assertThat(result.reasons()).extracting(PolicyCheck.Reason::kind).contains(PolicyCheck.Kind.TOO_SHORT);
  }

  @Test
  void oneCharacterRepeatedIsTooEasyToGuessEvenWhenItsNfkcFormIsALongPhrase() {
    PolicyCheck result = checker.check(ONE_CHAR_LIGATURE.repeat(8), PasswordPolicy.DEFAULTS, UserContext.NONE,
        EMPTY_SET);

    assertThat(result.meetsPolicy()).as("eight times the same character").isFalse();
    assertThat(result.reasons()).extracting(PolicyCheck.Reason::kind).contains(PolicyCheck.Kind.TOO_GUESSABLE);
  }

  @Test
  void sixtyFourTypedCharactersAreNeverTooLong() {
    // NIST 800-63B and PasswordPolicy: at least 64 characters must always be permitted.
    String typed = "\u2474\u2475\u2476\u2477".repeat(16); // (1)(2)(3)(4): 64 code points, 192 after NFKC
    assertThat(typed.codePointCount(0, typed.length())).isEqualTo(64);

    PolicyCheck result = checker.check(typed, PasswordPolicy.DEFAULTS.withLength(8, 64).withMinScore(0),
        UserContext.NONE, EMPTY_SET);

    assertThat(result.reasons()).extracting(PolicyCheck.Reason::kind).doesNotContain(PolicyCheck.Kind.TOO_LONG);
  }
}
