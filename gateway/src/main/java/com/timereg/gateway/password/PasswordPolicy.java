package com.timereg.gateway.password;

import java.util.ArrayList;
import java.util.List;

/**
 * One customer's rules for new passwords, after NIST SP 800-63B-4: a length range, a strength
 * floor and a breach check, and deliberately no composition rules (they push people to
 * "Password1!" without making guessing harder).
 *
 * <p>Length is counted in Unicode code points after NFKC normalisation, as 800-63B asks, so
 * "é" typed precomposed or as e plus a combining accent is one character either way; where NFKC
 * expands a character into several (U+FDFA into an 18-character phrase), the typed count is used,
 * the shorter of the two. The hash is always made from the string exactly as typed, as Django does.
 *
 * @param minScore lowest accepted strength score, 0..4 (0 turns the score check off)
 * @param minEntropyBits lowest accepted estimated entropy in bits (0 turns it off); when both
 *     are set a password must meet both
 * @param minLength fewest characters; never below 8, the 800-63B floor. 800-63B-4 asks for 15
 *     where the password is the only factor, so customers without SSO/MFA may want to raise it
 * @param maxLength most characters; never below 64, which 800-63B says to permit, nor above
 *     {@link #ABSOLUTE_MAX_LENGTH}, the most that always fits in what a login accepts
 * @param breachedThreshold refuse a password seen this many times or more in breaches; against a
 *     set that keeps only power-of-two classes ({@link BreachedPasswords#countsAreLowerBounds()}),
 *     a password whose class reaches {@code Long.highestOneBit(breachedThreshold)} is refused
 * @param allowWhenBreachCheckUnavailable accept passwords while no breach set is available;
 *     off by default, so a missing set refuses password changes rather than silently skipping
 */
public record PasswordPolicy(
    int minScore,
    double minEntropyBits,
    int minLength,
    int maxLength,
    long breachedThreshold,
    boolean allowWhenBreachCheckUnavailable) {

  /** zxcvbn's "safely unguessable" band: at least 10^8 guesses. */
  public static final int DEFAULT_MIN_SCORE = 3;
  public static final double DEFAULT_MIN_ENTROPY_BITS = 0;
  /** NIST SP 800-63B-4's floor for any password. */
  public static final int DEFAULT_MIN_LENGTH = 8;
  public static final int ABSOLUTE_MIN_LENGTH = 8;
  public static final int DEFAULT_MAX_LENGTH = 128;
  /** NIST SP 800-63B-4: verifiers should permit at least 64 characters. */
  public static final int ABSOLUTE_MIN_MAX_LENGTH = 64;
  /**
   * The login refuses passwords over 1024 UTF-16 units (LoginService.MAX_PASSWORD); 512 code points always fit
   * in them, so no policy may allow more (or ask for more): a longer password could never be used.
   */
  public static final int ABSOLUTE_MAX_LENGTH = 512;
  /** Refuse anything seen in a breach at all. */
  public static final long DEFAULT_BREACHED_THRESHOLD = 1;

  public static final PasswordPolicy DEFAULTS = new PasswordPolicy(DEFAULT_MIN_SCORE,
      DEFAULT_MIN_ENTROPY_BITS, DEFAULT_MIN_LENGTH, DEFAULT_MAX_LENGTH,
      DEFAULT_BREACHED_THRESHOLD, false);

  public PasswordPolicy {
    List<String> errors = new ArrayList<>();
    if (minScore < StrengthEstimate.MIN_SCORE || minScore > StrengthEstimate.MAX_SCORE) {
      errors.add("minScore must be in 0..4");
    }
    if (!(minEntropyBits >= 0) || minEntropyBits > 1_000) {
      errors.add("minEntropyBits must be in 0..1000");
    }
    if (minLength < ABSOLUTE_MIN_LENGTH) {
      errors.add("minLength must be at least " + ABSOLUTE_MIN_LENGTH);
    }
    if (maxLength < ABSOLUTE_MIN_MAX_LENGTH) {
      errors.add("maxLength must be at least " + ABSOLUTE_MIN_MAX_LENGTH);
    }
    if (maxLength > ABSOLUTE_MAX_LENGTH) {
      errors.add("maxLength must be at most " + ABSOLUTE_MAX_LENGTH);
    }
    if (minLength > maxLength) {
      errors.add("minLength must not exceed maxLength");
    }
    if (breachedThreshold < 1) {
      errors.add("breachedThreshold must be at least 1");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
  }

  public PasswordPolicy withMinScore(int score) {
    return new PasswordPolicy(score, minEntropyBits, minLength, maxLength, breachedThreshold,
        allowWhenBreachCheckUnavailable);
  }

  public PasswordPolicy withMinEntropyBits(double bits) {
    return new PasswordPolicy(minScore, bits, minLength, maxLength, breachedThreshold,
        allowWhenBreachCheckUnavailable);
  }

  public PasswordPolicy withLength(int min, int max) {
    return new PasswordPolicy(minScore, minEntropyBits, min, max, breachedThreshold,
        allowWhenBreachCheckUnavailable);
  }

  public PasswordPolicy withBreachedThreshold(long threshold) {
    return new PasswordPolicy(minScore, minEntropyBits, minLength, maxLength, threshold,
        allowWhenBreachCheckUnavailable);
  }

  public PasswordPolicy allowingUnavailableBreachCheck(boolean allow) {
    return new PasswordPolicy(minScore, minEntropyBits, minLength, maxLength, breachedThreshold,
        allow);
  }
}
