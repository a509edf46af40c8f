package com.timereg.gateway.password;

/**
 * The result of checking a password against a stored hash. {@link #reason()} is safe to log: it
 * never contains the password or any part of the stored hash.
 */
public record Verification(Outcome outcome, String reason) {

  public enum Outcome {
    MATCH,
    MISMATCH,
    /** The stored hash could not be used (wrong format or algorithm); no password can match it. */
    MALFORMED
  }

  static final Verification MATCH = new Verification(Outcome.MATCH, "password matches");
  static final Verification MISMATCH =
      new Verification(Outcome.MISMATCH, "password does not match");

  static Verification malformed(String reason) {
    return new Verification(Outcome.MALFORMED, "stored hash unusable: " + reason);
  }

  public boolean matches() {
    return outcome == Outcome.MATCH;
  }
}
