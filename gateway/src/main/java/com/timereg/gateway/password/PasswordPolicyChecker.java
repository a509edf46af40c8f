package com.timereg.gateway.password;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a new password meets a customer's {@link PasswordPolicy}: length, breach
 * prevalence and estimated strength, every failing rule reported at once. Never throws for a
 * bad password or a failing breach set. CPU-heavy through the estimate: run it on the
 * {@link VerificationPool}.
 */
public final class PasswordPolicyChecker {
  private static final Logger LOG = LoggerFactory.getLogger(PasswordPolicyChecker.class);

  private final StrengthEstimator estimator;

  public PasswordPolicyChecker(StrengthEstimator estimator) {
    this.estimator = estimator;
  }

  public PolicyCheck check(String password, PasswordPolicy policy, UserContext context,
      BreachedPasswords breaches) {
    List<PolicyCheck.Reason> reasons = new ArrayList<>();
    if (!wellFormed(password)) {
      // A lone surrogate (JSON allows "\ud800") has no UTF-8 form: the hash would be made of '?' in its
      // place, so a password that looks random to the estimate would be stored as "????????".
      reasons.add(new PolicyCheck.Reason(PolicyCheck.Kind.INVALID_CHARACTERS,
          "contains characters that are not valid text"));
    }
    String normalised = Normalizer.normalize(password, Normalizer.Form.NFKC);
    // NFKC joins "e" + combining accent into one character, but it also expands some single characters
    // into many (U+FDFA into an 18-character phrase, U+2474 into "(1)"): the length is the shorter of the
    // two, so neither a one-character password passes the minimum nor 64 typed characters exceed the maximum.
    int length = Math.min(password.codePointCount(0, password.length()),
        normalised.codePointCount(0, normalised.length()));
    if (length < policy.minLength()) {
      reasons.add(new PolicyCheck.Reason(PolicyCheck.Kind.TOO_SHORT,
          "shorter than " + policy.minLength() + " characters"));
    }
    if (length > policy.maxLength()) {
      reasons.add(new PolicyCheck.Reason(PolicyCheck.Kind.TOO_LONG,
          "longer than " + policy.maxLength() + " characters"));
    }
    long prevalence = breachCheck(password, normalised, policy, breaches, reasons);
    boolean pwned = prevalence >= effectiveThreshold(policy.breachedThreshold(), breaches);
    if (pwned) {
      reasons.add(new PolicyCheck.Reason(PolicyCheck.Kind.BREACHED, String.format(Locale.ROOT,
          "appears %s%,d %s in known data breaches", breaches.countsAreLowerBounds() ? "at least " : "",
          prevalence, prevalence == 1 ? "time" : "times")));
    }
    // Estimated on the normalised form: full-width or ligature look-alikes of a dictionary word
    // are as guessable as the word. And on the form as typed when that differs, the weaker of the two
    // counting: NFKC may expand a short or repetitive password into a long phrase that only looks strong.
    StrengthEstimate strength = estimator.estimate(normalised, context);
    if (!normalised.equals(password)) {
      StrengthEstimate typed = estimator.estimate(password, context);
      if (typed.score() < strength.score() || typed.entropyBits() < strength.entropyBits()) {
        strength = new StrengthEstimate(Math.min(typed.entropyBits(), strength.entropyBits()),
            Math.min(typed.score(), strength.score()));
      }
    }
    if (strength.score() < policy.minScore() || strength.entropyBits() < policy.minEntropyBits()) {
      reasons.add(new PolicyCheck.Reason(PolicyCheck.Kind.TOO_GUESSABLE, "too easy to guess"));
    }
    return new PolicyCheck(pwned, prevalence, strength, reasons);
  }

  /**
   * The prevalence at or above which a password counts as breached. A set that keeps only each count's
   * power-of-two class answers with the class's lower bound (8 stands for 8 to 15), so a threshold that is
   * not a power of two is lowered to one: a password the set says may have been seen that often is refused.
   */
  private static long effectiveThreshold(long threshold, BreachedPasswords breaches) {
    return breaches.countsAreLowerBounds() ? Long.highestOneBit(threshold) : threshold;
  }

  /**
   * The prevalence of the password as typed, or of its NFKC form if that was seen more often
   * (breach corpora hold what people typed, on whatever keyboard). Adds a reason and returns 0
   * when the set is unavailable and the policy does not allow that.
   */
  private static long breachCheck(String password, String normalised, PasswordPolicy policy,
      BreachedPasswords breaches, List<PolicyCheck.Reason> reasons) {
    try {
      if (breaches.available()) {
        long prevalence = breaches.prevalence(sha1(password));
        if (!normalised.equals(password)) {
          prevalence = Math.max(prevalence, breaches.prevalence(sha1(normalised)));
        }
        return prevalence;
      }
    } catch (RuntimeException | InternalError e) {
      // InternalError: the JVM's translation of a fault (SIGBUS) on a mapped page past the end of a set file cut
      // short in place between BreachSet's length check and the read; the set is as unavailable as a missing one.
      // Deliberately without the exception's message: a lookup error must not leak the hash.
      LOG.warn("breach lookup failed ({}); treating the breach set as unavailable",
          e.getClass().getSimpleName());
    }
    if (!policy.allowWhenBreachCheckUnavailable()) {
      reasons.add(new PolicyCheck.Reason(PolicyCheck.Kind.BREACH_CHECK_UNAVAILABLE,
          "breach check unavailable"));
    }
    return 0;
  }

  /** False when the string holds a UTF-16 surrogate that is not part of a pair. */
  static boolean wellFormed(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  static byte[] sha1(String password) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(password.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-1", e);
    }
  }
}
