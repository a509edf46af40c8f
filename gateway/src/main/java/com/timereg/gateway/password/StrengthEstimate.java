package com.timereg.gateway.password;

/**
 * How guessable a password is: estimated entropy in bits and a 0-4 score (zxcvbn's scale: 0 is
 * under 10^3 guesses, 1 under 10^6, 2 under 10^8, 3 under 10^10, 4 above).
 *
 * <p>An estimate says how weak a password is, which helps whoever reads it guess the password;
 * the design forbids storing or logging it, so {@link #toString()} reveals nothing. Read the
 * accessors where a decision is made and let the value die there.
 */
public record StrengthEstimate(double entropyBits, int score) {
  public static final int MIN_SCORE = 0;
  public static final int MAX_SCORE = 4;

  public StrengthEstimate {
    if (score < MIN_SCORE || score > MAX_SCORE || !(entropyBits >= 0)) {
      throw new IllegalArgumentException("score must be 0..4 and entropy non-negative");
    }
  }

  @Override
  public String toString() {
    return "StrengthEstimate[hidden]";
  }
}
