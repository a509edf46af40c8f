package com.timereg.gateway.password;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Without æ, ø and å keys Danes write ae, oe and aa: "smoerrebroed" is as guessable as "smørrebrød",
 * and the Danish word list and the customer's name must count in either spelling.
 */
class DanishAsciiSpellingTest {
  private static final int CAP = PasswordSettings.DEFAULT_ESTIMATE_MAX_CHARS;

  private final StrengthEstimator plain = new StrengthEstimator(CAP, List.of());

  @Test
  void danishWordsSpeltWithAeOeAaAreDictionaryWordsToo() throws Exception {
    StrengthEstimator withDanish =
        new StrengthEstimator(CAP, WordLists.load(List.of(resource("danish-words.txt"))));

    double native_ = withDanish.estimate("smørrebrød-æblekage", UserContext.NONE).entropyBits();
    double ascii = withDanish.estimate("smoerrebroed-aeblekage", UserContext.NONE).entropyBits();
    double asciiWithoutList = plain.estimate("smoerrebroed-aeblekage", UserContext.NONE).entropyBits();

    assertThat(ascii).as("ascii spelling, with the Danish list").isLessThan(asciiWithoutList - 10);
    assertThat(ascii).as("no more than a few bits above the spelling with æøå").isLessThan(native_ + 5);
  }

  @Test
  void customerNameSpeltWithAeOeAaCountsAsAContextWord() {
    UserContext context = new UserContext("birgitte", "birgitte@example.org", "Ærøskøbing Træ A/S");

    double ascii = plain.estimate("aeroeskoebing!2024", context).entropyBits();
    double unrelated = plain.estimate("aeroeskoebing!2024", UserContext.NONE).entropyBits();

    assertThat(ascii).isLessThan(unrelated - 10);
    assertThat(context.words()).contains("ærøskøbing", "aeroeskoebing", "trae");
  }

  @Test
  void asciiSpellingsKeepTheListsOrderAndLeaveOutWordsWithoutDanishLetters() {
    assertThat(WordLists.asciiSpellings(List.of("rødgrød", "hyggelig", "æblekage", "blåbær")))
        .containsExactly("roedgroed", "aeblekage", "blaabaer");
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(DanishAsciiSpellingTest.class.getResource("/password/" + name).toURI());
  }
}
