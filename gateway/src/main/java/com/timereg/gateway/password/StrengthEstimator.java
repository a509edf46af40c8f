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
    String estimated = leadingCodePoints(password, maxChars);
    if (estimated.isEmpty()) {
      return new StrengthEstimate(0, 0);
    }
    Strength strength = zxcvbn.measure(estimated, List.copyOf(context.words()));
    StrengthEstimate estimate =
        new StrengthEstimate(Math.max(0, strength.getGuessesLog10() * LOG2_10), strength.getScore());
    // zxcvbn keeps the password and its matched tokens in the result; clear them now.
    strength.wipe();
    return estimate;
  }

  static String leadingCodePoints(String text, int count) {
    if (text.codePointCount(0, text.length()) <= count) {
      return text;
    }
    return text.substring(0, text.offsetByCodePoints(0, count));
  }
}
