package com.timereg.gateway.password;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * JSON lets a client send lone UTF-16 surrogates ("\ud800"). They have no UTF-8 form, so the hash is
 * made of '?' in their place: sixteen distinct lone surrogates look random to the estimate but are
 * stored as "????????????????". Such a password must be refused, not judged by how it looks.
 */
class UnpairedSurrogatePolicyTest {
  private static final BreachedPasswords EMPTY_SET = NfkcExpansionPolicyTest.EMPTY_SET;

  private final PasswordPolicyChecker checker =
      new PasswordPolicyChecker(new StrengthEstimator(PasswordSettings.DEFAULT_ESTIMATE_MAX_CHARS, List.of()));

  @Test
  void loneSurrogatesAreRefusedBecauseTheyWouldBeHashedAsQuestionMarks() {
    StringBuilder lone = new StringBuilder();
    for (int i = 0; i < 16; i++) {
      lone.append((char) (0xD800 + i * 61)); // high surrogates only: none pairs with the next
    }
    String password = lone.toString();
    assertThat(DjangoPbkdf2Hasher.encode(password, "salt", 1_000))
        .as("what would be stored")
        .isEqualTo(DjangoPbkdf2Hasher.encode("?".repeat(16), "salt", 1_000));

    PolicyCheck result = checker.check(password, PasswordPolicy.DEFAULTS, UserContext.NONE, EMPTY_SET);

    assertThat(result.meetsPolicy()).as("a password stored as sixteen question marks").isFalse();
    assertThat(result.reasons()).extracting(PolicyCheck.Reason::kind)
        .contains(PolicyCheck.Kind.INVALID_CHARACTERS);
  }

  @Test
  void aLoneLowSurrogateAtTheEndIsRefusedToo() {
    PolicyCheck result = checker.check("hV7#qLm2!xPz9@Rt4&Wk\uDC00", PasswordPolicy.DEFAULTS, UserContext.NONE,
        EMPTY_SET);

    assertThat(result.reasons()).extracting(PolicyCheck.Reason::kind)
        .contains(PolicyCheck.Kind.INVALID_CHARACTERS);
  }

  @Test
  void pairedSurrogatesSuchAsEmojiAreFine() {
    String emoji = "\uD83D\uDE00\uD83C\uDF89\uD83D\uDC36\uD83C\uDF55\uD83D\uDE80\uD83C\uDF08\uD83D\uDD25\uD83C\uDFB8";

    PolicyCheck result = checker.check(emoji, PasswordPolicy.DEFAULTS, UserContext.NONE, EMPTY_SET);

    assertThat(result.reasons()).extracting(PolicyCheck.Reason::kind)
        .doesNotContain(PolicyCheck.Kind.INVALID_CHARACTERS);
    assertThat(result.meetsPolicy()).isTrue();
  }
}
