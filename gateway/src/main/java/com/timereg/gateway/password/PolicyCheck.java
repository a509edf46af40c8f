package com.timereg.gateway.password;

import java.util.List;

/**
 * The verdict on a new password under a customer's {@link PasswordPolicy}. The reasons are
 * written for the person choosing the password. Like {@link StrengthEstimate}, none of this may
 * reach a log, so {@link #toString()} shows only the verdict.
 */
public final class PolicyCheck {

  /** Why a password was refused; {@code kind} lets the web layer translate the message. */
  public record Reason(Kind kind, String message) {
    @Override
    public String toString() {
      return kind.name();
    }
  }

  public enum Kind {
    INVALID_CHARACTERS,
    TOO_SHORT,
    TOO_LONG,
    BREACHED,
    BREACH_CHECK_UNAVAILABLE,
    TOO_GUESSABLE
  }

  private final boolean pwned;
  private final long prevalence;
  private final StrengthEstimate strength;
  private final List<Reason> reasons;

  PolicyCheck(boolean pwned, long prevalence, StrengthEstimate strength, List<Reason> reasons) {
    this.pwned = pwned;
    this.prevalence = prevalence;
    this.strength = strength;
    this.reasons = List.copyOf(reasons);
  }

  /** True when nothing refused the password. */
  public boolean meetsPolicy() {
    return reasons.isEmpty();
  }

  /** Seen in breaches at least the policy's threshold number of times. */
  public boolean pwned() {
    return pwned;
  }

  /** Times seen in breaches; 0 if never seen or the breach set was unavailable. */
  public long prevalence() {
    return prevalence;
  }

  public int score() {
    return strength.score();
  }

  public double entropyBits() {
    return strength.entropyBits();
  }

  public List<Reason> reasons() {
    return reasons;
  }

  /** The reasons' messages, for showing to the user. */
  public List<String> messages() {
    return reasons.stream().map(Reason::message).toList();
  }

  @Override
  public String toString() {
    return "PolicyCheck[meetsPolicy=" + meetsPolicy() + "]";
  }
}
