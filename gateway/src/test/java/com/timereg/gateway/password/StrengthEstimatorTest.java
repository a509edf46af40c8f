package com.timereg.gateway.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StrengthEstimatorTest {
  private static final int CAP = PasswordSettings.DEFAULT_ESTIMATE_MAX_CHARS;

  private final StrengthEstimator plain = new StrengthEstimator(CAP, List.of());

  @Test
  void customerAndLoginNamesCountAsDictionaryWords() {
    String password = "Zentrakon2025!";
    UserContext context = new UserContext("jens.k", "jens.kofoed@zentrakon.dk", "Zentrakon A/S");

    StrengthEstimate without = plain.estimate(password, UserContext.NONE);
    StrengthEstimate with = plain.estimate(password, context);

    assertThat(with.entropyBits()).isLessThan(without.entropyBits() - 10);
    assertThat(with.score()).isLessThanOrEqualTo(without.score());
  }

  @Test
  void emailLocalPartCountsAsDictionaryWord() {
    String password = "kofoedjens#77";
    UserContext context = new UserContext(null, "kofoedjens@example.org", null);

    assertThat(plain.estimate(password, context).entropyBits())
        .isLessThan(plain.estimate(password, UserContext.NONE).entropyBits() - 10);
  }

  /**
   * zxcvbn4j 1.9 estimates the base of a repeat without the user's words (its RepeatMatcher matches the base with an
   * empty user-input list), so a login name typed three or four times scored 3 and 4, "strong", for the one person
   * who types it daily. Repeats of the user's own words are now as guessable as the words.
   */
  @Test
  void theUsersOwnWordsRepeatedAreNoStrongerThanTheWords() {
    UserContext context = new UserContext("carol@e2e.test", "carol@e2e.test", "Zentrakon A/S");
    for (int times = 2; times <= 4; times++) {
      assertThat(plain.estimate("carol@e2e.test".repeat(times), context).score()).as("login name x%d", times)
          .isLessThanOrEqualTo(1);
      assertThat(plain.estimate("carol@e2e.test".repeat(times) + "!", context).score()).as("login name x%d!", times)
          .isLessThanOrEqualTo(1);
    }
    assertThat(plain.estimate("zentrakonzentrakonzentrakonzentrakon", context).score()).isLessThanOrEqualTo(1);
    // Not the login name: a repeat of something else is still estimated as before.
    assertThat(plain.estimate("carol@e2e.test".repeat(4), UserContext.NONE).score()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void extraWordListLowersEstimateOfPasswordsMadeOfItsWords() throws Exception {
    List<String> danish = WordLists.load(List.of(resource("danish-words.txt")));
    StrengthEstimator withDanish = new StrengthEstimator(CAP, danish);
    String password = "kanelsnegl-sommerhus";

    double before = plain.estimate(password, UserContext.NONE).entropyBits();
    double after = withDanish.estimate(password, UserContext.NONE).entropyBits();

    assertThat(after).isLessThan(before - 10);
  }

  @Test
  void wordListsAreLowerCasedTrimmedAndDeduplicated() throws Exception {
    List<String> words = WordLists.load(List.of(resource("danish-words.txt"),
        resource("danish-words.txt")));

    assertThat(words).contains("rødgrød", "mormor", "øresund")
        .doesNotContain("", "ål", "  mormor  ", "Øresund")
        .doesNotHaveDuplicates();
  }

  @Test
  void unreadableWordListIsReportedWithItsName(@TempDir Path dir) throws Exception {
    Path latin1 = dir.resolve("latin1.txt");
    Files.write(latin1, "r\u00f8dgr\u00f8d\n".getBytes(StandardCharsets.ISO_8859_1));
    Path missing = dir.resolve("missing.txt");

    assertThatThrownBy(() -> WordLists.load(List.of(missing)))
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining("missing.txt");
    assertThatThrownBy(() -> WordLists.load(List.of(latin1)))
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining("latin1.txt");
  }

  @Test
  void estimatesOnlyTheFirstCappedCharactersOfALongPassword() {
    String head = "Gr0nt-Lys_og*Sn3fnug?Under#Bakken+Ved%Havet=Om&Natten!Kl0kken~23";
    assertThat(head.codePointCount(0, head.length())).isEqualTo(CAP);

    StrengthEstimate capped = plain.estimate(head + "qwertyuiop".repeat(1_000), UserContext.NONE);

    assertThat(capped).isEqualTo(plain.estimate(head, UserContext.NONE));
  }

  @Test
  void capNeverSplitsASurrogatePair() {
    String emoji = "\uD83D\uDD11"; // one code point, two chars

    String cut = StrengthEstimator.leadingCodePoints(emoji.repeat(10), 3);

    assertThat(cut).isEqualTo(emoji.repeat(3));
  }

  /**
   * Every kind of l33t character, repeated to the cap: zxcvbn4j tries every reading of them as letters over every
   * substring, 1.2-2.5 s per estimate here (docs/password-strength.md), so one user's checks kept the pool busy.
   * Only the part up to its tenth kind (at least 16 code points) is estimated, and it still scores 4.
   */
  @Test
  void aPasswordOfManyKindsOfL33tCharactersIsEstimatedOnlyUpToItsTenthKind() {
    String hostile = "4@8({[<3&69!|17015$+%2".repeat(3).substring(0, CAP);

    String part = StrengthEstimator.estimatedPart(hostile, CAP);

    // Its first 16 code points already hold 15 kinds: those are estimated.
    assertThat(part).isEqualTo("4@8({[<3&69!|170");
    assertThat(part.chars().filter(c -> StrengthEstimator.L33T_CHARACTERS.indexOf(c) >= 0).distinct().count())
        .isGreaterThanOrEqualTo(StrengthEstimator.MAX_L33T_KINDS);
    assertThat(plain.estimate(hostile, UserContext.NONE)).isEqualTo(plain.estimate(part, UserContext.NONE));
    assertThat(plain.estimate(hostile, UserContext.NONE).score()).isEqualTo(4);
    // Past the 16th code point, the cut comes before the eleventh kind.
    String later = "Abcdefghijklmnopqrstuv" + "4@8({[<$5+" + "7369%1!|20";
    assertThat(StrengthEstimator.estimatedPart(later, CAP)).isEqualTo("Abcdefghijklmnopqrstuv4@8({[<$5+");
  }

  /**
   * Sixteen kinds in the first 16 code points, repeated to the cap: no character past the 16th is a new kind, so the
   * cut before an eleventh kind never came and all 64 were estimated, about a second each on this machine (the
   * bound above is there to keep it to tens of milliseconds). Only the first 16 are estimated; it still scores 4.
   */
  @Test
  void aPasswordRepeatingMoreThanTenKindsFromItsStartIsEstimatedOnItsFirstSixteenCodePoints() {
    for (String kinds : List.of("1|7!(<{[4@8$5+30", "a1|7!(<{[4@8$5+3", "1|7!(<{[4@8")) {
      String hostile = kinds.repeat(CAP).substring(0, CAP);

      String part = StrengthEstimator.estimatedPart(hostile, CAP);

      assertThat(part).as(hostile).isEqualTo(hostile.substring(0, StrengthEstimator.MIN_ESTIMATED));
      assertThat(plain.estimate(hostile, UserContext.NONE).score()).isEqualTo(4);
    }
  }

  /**
   * Ten kinds, three of them ({@code 1}, {@code |}, {@code 7}) read by the library as either of two letters: each of
   * those is tried as either letter by the matcher, and 64 such characters estimated whole took
   * 300-500 ms here (load average 7), against tens for ten one-letter kinds. A two-letter kind counts twice, so
   * this holds 13 kinds in its first 16 code points and only those are estimated; it still scores 4.
   */
  @Test
  void twoLetterL33tCharactersCountTwiceTowardsTheBoundOfKinds() {
    for (String kinds : List.of("1|!7+(<{[4", "1|!7+$5@4")) {
      String hostile = kinds.repeat(CAP).substring(0, CAP);

      String part = StrengthEstimator.estimatedPart(hostile, CAP);

      assertThat(part).as(hostile).isEqualTo(hostile.substring(0, StrengthEstimator.MIN_ESTIMATED));
      assertThat(plain.estimate(hostile, UserContext.NONE).score()).isEqualTo(4);
    }
    // Past the 16th code point, ten kinds with a two-letter one among them are estimated; the cut comes before the
    // kind that would pass ten.
    String later = "Abcdefghijklmnopqrstuv" + "4@8({[<$7";
    assertThat(StrengthEstimator.estimatedPart(later, CAP)).isEqualTo(later);
    String over = "Abcdefghijklmnopqrstuv" + "4@8({[<$5" + "7+";
    assertThat(StrengthEstimator.estimatedPart(over, CAP)).isEqualTo("Abcdefghijklmnopqrstuv4@8({[<$5");
  }

  /** Every character the library's table reads as two letters counts twice; the table's others once. */
  @Test
  @SuppressWarnings("unchecked")
  void everyTwoLetterL33tCharacterOfTheLibrarysTableCountsTwice() throws Exception {
    java.lang.reflect.Field table = com.nulabinc.zxcvbn.matchers.L33tMatcher.class.getDeclaredField("L33T_TABLE");
    table.setAccessible(true);
    java.util.Map<Character, Integer> letters = new java.util.TreeMap<>();
    ((java.util.Map<Character, List<Character>>) table.get(null)).values()
        .forEach(chars -> chars.forEach(c -> letters.merge(c, 1, Integer::sum)));
    StringBuilder oneLetter = new StringBuilder();
    letters.forEach((c, n) -> {
      assertThat(n).as("letters read from %s", c).isBetween(1, 2);
      if (n == 1) {
        oneLetter.append(c);
      }
    });
    String nine = oneLetter.substring(0, 9);
    String prefix = "Abcdefghijklmnopqrstuv";
    letters.forEach((c, n) -> {
      if (n == 2) {
        assertThat(StrengthEstimator.estimatedPart(prefix + nine + c + "x", CAP)).as("two letters: %s", c)
            .isEqualTo(prefix + nine);
      } else if (nine.indexOf(c) < 0) {
        assertThat(StrengthEstimator.estimatedPart(prefix + nine + c + "x", CAP)).as("one letter: %s", c)
            .isEqualTo(prefix + nine + c + "x");
      }
    });
  }

  @Test
  void ordinaryL33tSpellingsAreEstimatedWhole() {
    for (String p : List.of("p@$$w0rd", "Tr0ub4dor&3", "hV7#qLm2!xPz9@Rt4&Wk", "Gr0nt-Lys_og*Sn3fnug?Under#Bakken+Ved%Havet")) {
      assertThat(StrengthEstimator.estimatedPart(p, CAP)).isEqualTo(p);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void theL33tCharactersAreTheLibrarysOwn() throws Exception {
    java.lang.reflect.Field table = com.nulabinc.zxcvbn.matchers.L33tMatcher.class.getDeclaredField("L33T_TABLE");
    table.setAccessible(true);
    java.util.Set<Character> library = new java.util.TreeSet<>();
    ((java.util.Map<Character, List<Character>>) table.get(null)).values().forEach(library::addAll);
    java.util.Set<Character> ours = new java.util.TreeSet<>();
    StrengthEstimator.L33T_CHARACTERS.chars().forEach(c -> ours.add((char) c));
    assertThat(ours).isEqualTo(library);
  }

  @Test
  void commonPasswordsScoreLowAndRandomOnesHigh() {
    assertThat(plain.estimate("password1", UserContext.NONE).score()).isZero();
    assertThat(plain.estimate("hV7#qLm2!xPz9@Rt4&Wk", UserContext.NONE).score()).isEqualTo(4);
    assertThat(plain.estimate("", UserContext.NONE)).isEqualTo(new StrengthEstimate(0, 0));
  }

  @Test
  void toStringRevealsNeitherEntropyNorScore() {
    StrengthEstimate estimate = plain.estimate("hV7#qLm2!xPz9@Rt4&Wk", UserContext.NONE);

    assertThat(estimate.toString()).isEqualTo("StrengthEstimate[hidden]")
        .doesNotContain("score")
        .doesNotContain(String.valueOf((int) estimate.entropyBits()));
  }

  @Test
  void contextWordsIncludeWholeValuesTheirPartsAndEmailDomainLabels() {
    UserContext context = new UserContext("Jens.K", "jens.kofoed+tr@mail.zentrakon.dk",
        "Zentrakon A/S");

    assertThat(context.words()).contains("jens.k", "jens", "jens.kofoed+tr", "kofoed",
        "mail.zentrakon.dk", "zentrakon", "mail", "zentrakon a/s", "zentrakonas")
        .doesNotContain("k", "dk", "tr", "a", "s");
    assertThat(UserContext.NONE.words()).isEmpty();
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(StrengthEstimatorTest.class.getResource("/password/" + name).toURI());
  }
}
