package com.timereg.gateway.password;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * On a keyboard without æ, ø and å (or é, ü) people leave the diacritics off: "smorrebrod" and "Soren", which is
 * also how English writes Danish and Norwegian words. Those spellings are as guessable as the words, in the word
 * lists and in the user's context alike, besides the ae/oe/aa spellings ({@link DanishAsciiSpellingTest}).
 */
class DiacriticFreeSpellingTest {
  private static final int CAP = PasswordSettings.DEFAULT_ESTIMATE_MAX_CHARS;

  private final StrengthEstimator plain = new StrengthEstimator(CAP, List.of());

  @Test
  void danishWordsWrittenWithoutTheirDiacriticsAreDictionaryWordsToo() throws Exception {
    StrengthEstimator withDanish =
        new StrengthEstimator(CAP, WordLists.load(List.of(resource("danish-words.txt"))));

    double native_ = withDanish.estimate("smørrebrød-flødebolle", UserContext.NONE).entropyBits();
    double stripped = withDanish.estimate("smorrebrod-flodebolle", UserContext.NONE).entropyBits();
    double strippedWithoutList = plain.estimate("smorrebrod-flodebolle", UserContext.NONE).entropyBits();

    assertThat(stripped).as("without diacritics, with the Danish list").isLessThan(strippedWithoutList - 10);
    assertThat(stripped).as("no more than a few bits above the spelling with æøå").isLessThan(native_ + 5);
  }

  @Test
  void namesWrittenWithoutTheirDiacriticsCountAsContextWords() {
    UserContext context = new UserContext("søren.kløvedal", "s.kloevedal@example.org", "Ærøskøbing Træ A/S");

    for (String password : List.of("klovedal!2024", "aeroskobing!2024")) {
      assertThat(plain.estimate(password, context).entropyBits()).as(password)
          .isLessThan(plain.estimate(password, UserContext.NONE).entropyBits() - 10);
    }
  }

  @Test
  void strippedSpellingsKeepTheListsOrderAndLeaveOutWordsTheyDoNotChange() {
    // "æble" without diacritics is "aeble", its ae/oe/aa spelling already: not listed twice.
    assertThat(WordLists.strippedSpellings(List.of("rødgrød", "hyggelig", "æble", "blåbær", "café", "über")))
        .containsExactly("rodgrod", "blabaer", "cafe", "uber");
    assertThat(new UserContext("René Sørensen", null, null).words()).contains("rene", "sorensen", "soeren" + "sen");
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(DiacriticFreeSpellingTest.class.getResource("/password/" + name).toURI());
  }
}
