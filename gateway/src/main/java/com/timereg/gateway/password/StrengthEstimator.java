package com.timereg.gateway.password;

import com.nulabinc.zxcvbn.StandardDictionaries;
import com.nulabinc.zxcvbn.StandardKeyboards;
import com.nulabinc.zxcvbn.Strength;
import com.nulabinc.zxcvbn.Zxcvbn;
import com.nulabinc.zxcvbn.ZxcvbnBuilder;
import com.nulabinc.zxcvbn.matchers.Dictionary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Estimates password strength with zxcvbn4j (chosen over nbvcxz: docs/password-strength.md),
 * counting the user's own context and configured word lists as dictionary words.
 *
 * <p>Only the first {@code maxChars} code points are estimated: both libraries slow down
 * super-linearly on long hostile input, and a long password is not weak for lack of an estimate
 * of its tail. The cut never splits a surrogate pair. Tens of milliseconds on hostile input at
 * the default cap: run it on the {@link VerificationPool}, not on an event loop. Thread-safe:
 * zxcvbn4j keeps only read-only dictionaries between calls.
 */
public final class StrengthEstimator {
  private static final double LOG2_10 = Math.log(10) / Math.log(2);

  private final int maxChars;
  private final Zxcvbn zxcvbn;

  /**
   * @param extraWords words from site word lists (e.g. {@link WordLists#load}); zxcvbn ranks a
   *     word by its position, as if the list were ordered by frequency. Plain word lists are
   *     alphabetical, which misranks words by at most a couple of bits for all but the first
   *     quarter of the list, and those it ranks as weaker, the safe direction.
   */
  public StrengthEstimator(int maxChars, List<String> extraWords) {
    if (maxChars < 1) {
      throw new IllegalArgumentException("maxChars must be positive");
    }
    this.maxChars = maxChars;
    try {
      ZxcvbnBuilder builder = new ZxcvbnBuilder()
          .dictionaries(StandardDictionaries.loadAllDictionaries())
          .keyboards(StandardKeyboards.loadAllKeyboards());
      if (!extraWords.isEmpty()) {
        builder.dictionary(new Dictionary("site_word_lists", extraWords));
      }
      // A dictionary of its own, so that each spelling's rank is its place among the spellings,
      // never above the word's own rank: no word is made stronger by its ascii twin.
      List<String> asciiSpellings = WordLists.asciiSpellings(extraWords);
      if (!asciiSpellings.isEmpty()) {
        builder.dictionary(new Dictionary("site_word_lists_ascii", asciiSpellings));
      }
      // And the spellings without diacritics ("smorrebrod"), likewise a dictionary of their own.
      List<String> strippedSpellings = WordLists.strippedSpellings(extraWords);
      if (!strippedSpellings.isEmpty()) {
        builder.dictionary(new Dictionary("site_word_lists_stripped", strippedSpellings));
      }
      this.zxcvbn = builder.build();
    } catch (IOException e) {
      throw new UncheckedIOException("zxcvbn4j's bundled dictionaries are unreadable", e);
    }
  }

  /** Reads the settings' word lists: blocking file I/O, so call it at start-up. */
  public static StrengthEstimator create(PasswordSettings settings) {
    return new StrengthEstimator(settings.estimateMaxChars(),
        WordLists.load(settings.extraDictionaries()));
  }

  public StrengthEstimate estimate(String password, UserContext context) {
    String estimated = estimatedPart(password, maxChars);
    if (estimated.isEmpty()) {
      return new StrengthEstimate(0, 0);
    }
    Strength strength = zxcvbn.measure(estimated, userWords(context, estimated.length()));
    StrengthEstimate estimate =
        new StrengthEstimate(Math.max(0, strength.getGuessesLog10() * LOG2_10), strength.getScore());
    // zxcvbn keeps the password and its matched tokens in the result; clear them now.
    strength.wipe();
    return estimate;
  }

  /**
   * The user's words, and each repeated as often as fits in {@code length} characters: zxcvbn4j 1.9 estimates the
   * base of a repeat without the user's words (its RepeatMatcher matches the base with an empty user-input list), so
   * a login name typed three times scored 3. Spelt out, each repeat is a dictionary word ranked just after the
   * words, as guessable as they are; extra words can only lower an estimate.
   */
  static List<String> userWords(UserContext context, int length) {
    List<String> words = new java.util.ArrayList<>(context.words());
    int single = words.size();
    for (int i = 0; i < single; i++) {
      String word = words.get(i);
      for (int times = 2; word.length() * times <= length; times++) {
        words.add(word.repeat(times));
      }
    }
    return words;
  }

  /**
   * The characters zxcvbn4j 1.9's l33t matcher reads as letters ({@code L33tMatcher.L33T_TABLE}; a test holds this
   * to the library's own table).
   */
  static final String L33T_CHARACTERS = "4@8({[<$5+7369%1!|20";
  /**
   * The l33t characters the library's table reads as either of two letters ({@code 1} and {@code |} as i or l,
   * {@code 7} as l or t); each counts as two kinds: the matcher tries each reading of them, and ten kinds with
   * these three among them cost several times what ten one-letter kinds cost (docs/password-strength.md).
   */
  static final String TWO_LETTER_L33T_CHARACTERS = "1|7";
  /**
   * More kinds of l33t characters than this (a two-letter one counting twice), and the matcher's substitutions
   * multiply (see {@link #estimatedPart}).
   */
  static final int MAX_L33T_KINDS = 10;
  /** Never fewer code points than this for the l33t bound: an estimate of a shorter part would say little. */
  static final int MIN_ESTIMATED = 16;

  /**
   * What is estimated: the first {@code maxChars} code points, and of those only as many as hold at most
   * {@link #MAX_L33T_KINDS} kinds of l33t characters, though at least {@link #MIN_ESTIMATED} code points. zxcvbn4j
   * tries every reading of the l33t characters present as letters, each over every substring: 64 characters
   * using all 20 kinds ({@code 4@8({[<3&69!|17015$+%2} repeated) took 1.2-2.5 s per estimate on this machine
   * where ordinary input takes milliseconds, so one user's checks could keep the verification pool busy (logins
   * answered "busy"). A part that has already shown 10 kinds of digits and symbols is random-looking enough that
   * its estimate is high. When the first {@link #MIN_ESTIMATED} code points already hold more than
   * {@link #MAX_L33T_KINDS} kinds, only they are estimated: repeated to the cap, 16 kinds took about a second.
   * A kind the library reads as either of two letters ({@link #TWO_LETTER_L33T_CHARACTERS}) counts twice: ten kinds
   * with {@code 1}, {@code |} and {@code 7} among them ({@code 1|!7+(<{[4} repeated) took 300-500 ms whole.
   * Ordinary l33t spellings ({@code p@$$w0rd}, {@code Tr0ub4dor&3}) use a few kinds and are
   * estimated whole.
   */
  static String estimatedPart(String password, int maxChars) {
    String capped = leadingCodePoints(password, maxChars);
    int kinds = 0;
    int seen = 0;
    int codePoints = 0;
    for (int i = 0; i < capped.length(); i += Character.charCount(capped.codePointAt(i)), codePoints++) {
      if (kinds > MAX_L33T_KINDS && codePoints >= MIN_ESTIMATED) {
        // The first MIN_ESTIMATED code points already hold more kinds than allowed: estimate those only. Repeating
        // them (16 kinds to the cap) would otherwise be estimated whole, about a second each.
        return capped.substring(0, i);
      }
      int kind = L33T_CHARACTERS.indexOf(capped.charAt(i));
      if (kind < 0 || (seen & (1 << kind)) != 0) {
        continue;
      }
      int weight = TWO_LETTER_L33T_CHARACTERS.indexOf(capped.charAt(i)) >= 0 ? 2 : 1;
      if (kinds + weight > MAX_L33T_KINDS && codePoints >= MIN_ESTIMATED) {
        return capped.substring(0, i);
      }
      seen |= 1 << kind;
      kinds += weight;
    }
    return capped;
  }

  static String leadingCodePoints(String text, int count) {
    if (text.codePointCount(0, text.length()) <= count) {
      return text;
    }
    return text.substring(0, text.offsetByCodePoints(0, count));
  }
}
