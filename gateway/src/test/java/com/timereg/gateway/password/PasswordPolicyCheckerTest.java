package com.timereg.gateway.password;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PasswordPolicyCheckerTest {
  private static final String STRONG = "hV7#qLm2!xPz9@Rt4&Wk";

  private final PasswordPolicyChecker checker =
      new PasswordPolicyChecker(new StrengthEstimator(64, List.of()));
  private final InMemoryBreaches breaches = new InMemoryBreaches()
      .with("P@ssw0rd", 3_861_493)
      .with("password", 9_545_824)
      .with("Sommerhus1984", 1)
      .with("Vinterhus1984!", 2);

  @Test
  void acceptsStrongUnbreachedPassword() {
    PolicyCheck result = checker.check(STRONG, PasswordPolicy.DEFAULTS, UserContext.NONE, breaches);

    assertThat(result.meetsPolicy()).isTrue();
    assertThat(result.pwned()).isFalse();
    assertThat(result.prevalence()).isZero();
    assertThat(result.score()).isEqualTo(4);
    assertThat(result.reasons()).isEmpty();
  }

  @Test
  void refusesBreachedPasswordSayingHowOftenItWasSeen() {
    PolicyCheck result = checker.check("P@ssw0rd", PasswordPolicy.DEFAULTS, UserContext.NONE,
        breaches);

    assertThat(result.meetsPolicy()).isFalse();
    assertThat(result.pwned()).isTrue();
    assertThat(result.prevalence()).isEqualTo(3_861_493);
    assertThat(result.messages())
        .contains("appears 3,861,493 times in known data breaches", "too easy to guess");
  }

  @Test
  void saysAtLeastWhenTheSetRoundsCountsDown() {
    BreachedPasswords rounded = new BreachedPasswords() {
      @Override
      public long prevalence(byte[] sha1) {
        return 32_768;
      }

      @Override
      public boolean available() {
        return true;
      }

      @Override
      public boolean countsAreLowerBounds() {
        return true;
      }
    };

    PolicyCheck result = checker.check(STRONG, PasswordPolicy.DEFAULTS, UserContext.NONE, rounded);

    assertThat(result.messages()).containsExactly("appears at least 32,768 times in known data breaches");
  }

  @Test
  void reportsEveryFailingRuleAtOnce() {
    PolicyCheck result = checker.check("passwor", PasswordPolicy.DEFAULTS, UserContext.NONE,
        breaches.with("passwor", 1));

    assertThat(result.messages()).containsExactly("shorter than 8 characters",
        "appears 1 time in known data breaches", "too easy to guess");
    assertThat(result.reasons()).extracting(PolicyCheck.Reason::kind).containsExactly(
        PolicyCheck.Kind.TOO_SHORT, PolicyCheck.Kind.BREACHED, PolicyCheck.Kind.TOO_GUESSABLE);
  }

  @Test
  void refusesPasswordsLongerThanMaximum() {
    PolicyCheck result = checker.check(STRONG.repeat(7), PasswordPolicy.DEFAULTS,
        UserContext.NONE, breaches);

    assertThat(result.messages()).containsExactly("longer than 128 characters");
  }

  @Test
  void failsClosedWhenBreachCheckIsUnavailable() {
    PolicyCheck result = checker.check(STRONG, PasswordPolicy.DEFAULTS, UserContext.NONE,
        BreachedPasswords.UNAVAILABLE);

    assertThat(result.meetsPolicy()).isFalse();
    assertThat(result.messages()).containsExactly("breach check unavailable");
  }

  @Test
  void acceptsWithoutBreachCheckOnlyWhenPolicyExplicitlyAllowsIt() {
    PasswordPolicy lenient = PasswordPolicy.DEFAULTS.allowingUnavailableBreachCheck(true);

    PolicyCheck result = checker.check(STRONG, lenient, UserContext.NONE,
        BreachedPasswords.UNAVAILABLE);

    assertThat(result.meetsPolicy()).isTrue();
    assertThat(result.prevalence()).isZero();
  }

  @Test
  void failingBreachLookupCountsAsUnavailable() {
    BreachedPasswords broken = new BreachedPasswords() {
      @Override
      public long prevalence(byte[] sha1) {
        throw new IllegalStateException("mapped file truncated");
      }

      @Override
      public boolean available() {
        return true;
      }
    };

    PolicyCheck result = checker.check(STRONG, PasswordPolicy.DEFAULTS, UserContext.NONE, broken);

    assertThat(result.messages()).containsExactly("breach check unavailable");
  }

  @Test
  void customersChooseTheirOwnStrengthLengthAndBreachThresholds() {
    PasswordPolicy relaxed = PasswordPolicy.DEFAULTS.withMinScore(1).withBreachedThreshold(2);
    PasswordPolicy strict = PasswordPolicy.DEFAULTS.withLength(15, 128).withMinEntropyBits(60);
    String password = "Sommerhus1984";

    PolicyCheck underRelaxed = checker.check(password, relaxed, UserContext.NONE, breaches);
    PolicyCheck underStrict = checker.check(password, strict, UserContext.NONE, breaches);

    assertThat(underRelaxed.meetsPolicy()).isTrue();
    assertThat(underRelaxed.prevalence()).isEqualTo(1);
    assertThat(underRelaxed.pwned()).as("seen once, threshold two").isFalse();
    assertThat(underStrict.messages()).contains("shorter than 15 characters",
        "appears 1 time in known data breaches", "too easy to guess");
    assertThat(checker.check("Vinterhus1984!", relaxed, UserContext.NONE, breaches).messages())
        .containsExactly("appears 2 times in known data breaches");
  }

  @Test
  void userContextMakesOtherwiseAcceptablePasswordTooGuessable() {
    PasswordPolicy policy = PasswordPolicy.DEFAULTS.withMinScore(3);
    String password = "Zentrakon#Jens";
    UserContext context = new UserContext("jens", "jens@zentrakon.dk", "Zentrakon A/S");

    assertThat(checker.check(password, policy, UserContext.NONE, breaches).meetsPolicy()).isTrue();
    assertThat(checker.check(password, policy, context, breaches).messages())
        .containsExactly("too easy to guess");
  }

  @Test
  void countsLengthInCodePointsAfterNfkcNormalisation() {
    PasswordPolicy lengthOnly = PasswordPolicy.DEFAULTS.withMinScore(0);
    String eightEmoji = "\uD83D\uDD11\uD83E\uDD80\uD83C\uDF3B\uD83D\uDE80"
        + "\uD83C\uDF55\uD83D\uDC1D\uD83C\uDFB8\uD83E\uDD8A";
    String sevenDecomposed = "e\u0301".repeat(7); // 14 code points, 7 after NFKC

    assertThat(checker.check(eightEmoji, lengthOnly, UserContext.NONE, breaches).messages())
        .doesNotContain("shorter than 8 characters");
    assertThat(checker.check(sevenDecomposed, lengthOnly, UserContext.NONE, breaches).messages())
        .contains("shorter than 8 characters");
  }

  @Test
  void findsBreachedPasswordTypedInFullWidthForms() {
    PolicyCheck result = checker.check("\uFF50\uFF41\uFF53\uFF53\uFF57\uFF4F\uFF52\uFF44",
        PasswordPolicy.DEFAULTS, UserContext.NONE, breaches);

    assertThat(result.prevalence()).isEqualTo(9_545_824);
    assertThat(result.messages()).contains("too easy to guess");
  }

  @Test
  void toStringRevealsOnlyTheVerdict() {
    PolicyCheck result = checker.check("P@ssw0rd", PasswordPolicy.DEFAULTS, UserContext.NONE,
        breaches);

    assertThat(result.toString()).isEqualTo("PolicyCheck[meetsPolicy=false]");
    assertThat(result.reasons().get(0).toString()).isEqualTo("BREACHED");
  }

  @Test
  void policyRefusesUnsafeSettingsListingEveryError() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> new PasswordPolicy(5, -1, 4, 32, 0, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll("minScore", "minEntropyBits", "minLength must be at least 8",
            "maxLength must be at least 64", "breachedThreshold");
  }

  /** A real, if small, breach set: SHA-1 of the UTF-8 password to prevalence. */
  private static final class InMemoryBreaches implements BreachedPasswords {
    private final Map<String, Long> bySha1Hex = new HashMap<>();

    InMemoryBreaches with(String password, long prevalence) {
      bySha1Hex.put(HexFormat.of().formatHex(PasswordPolicyChecker.sha1(password)), prevalence);
      return this;
    }

    @Override
    public long prevalence(byte[] sha1) {
      return bySha1Hex.getOrDefault(HexFormat.of().formatHex(sha1), 0L);
    }

    @Override
    public boolean available() {
      return true;
    }
  }
}
