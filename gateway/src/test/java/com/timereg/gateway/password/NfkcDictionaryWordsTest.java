package com.timereg.gateway.password;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The password is NFKC-normalised before the estimate, so the dictionary words it is compared with must
 * be too: a customer name or a word-list line holding "å" as "a" plus a combining ring (as macOS and
 * some exports write it) must still match the "å" a person types.
 */
class NfkcDictionaryWordsTest {
  private static final int CAP = PasswordSettings.DEFAULT_ESTIMATE_MAX_CHARS;
  private static final String DECOMPOSED_AA = "a\u030A";

  private final StrengthEstimator plain = new StrengthEstimator(CAP, List.of());

  @Test
  void decomposedCustomerNameStillMatchesThePasswordAsTyped() {
    UserContext context = new UserContext("birgitte", "birgitte@example.org", "Bl" + DECOMPOSED_AA + "vand Byg ApS");
    String password = "Bl\u00E5vand!2024";

    double with = plain.estimate(password, context).entropyBits();
    double without = plain.estimate(password, UserContext.NONE).entropyBits();

    assertThat(with).isLessThan(without - 5);
  }

  @Test
  void decomposedWordListLinesAreReadInTheirComposedForm(@TempDir Path dir) throws Exception {
    Path list = dir.resolve("words.txt");
    Files.writeString(list, "bl" + DECOMPOSED_AA + "b\u00E6rgr\u00F8d\n", StandardCharsets.UTF_8);

    assertThat(WordLists.load(List.of(list))).containsExactly("bl\u00E5b\u00E6rgr\u00F8d");
  }
}
