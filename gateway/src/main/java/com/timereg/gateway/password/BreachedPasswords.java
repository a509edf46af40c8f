package com.timereg.gateway.password;

/**
 * A set of passwords known from data breaches (Have I Been Pwned), keyed by SHA-1. The HIBP
 * set reader lives in its own module; the gateway adapts it to this interface.
 */
public interface BreachedPasswords {

  /** How often the password with this SHA-1 (20 bytes, of its UTF-8) was seen; 0 if never. */
  long prevalence(byte[] sha1);

  /** False while no set is loaded (or it failed to load): a check now would prove nothing. */
  boolean available();

  /**
   * True when {@link #prevalence} rounds counts down (the HIBP set keeps powers of two, and
   * 32,768 means "32,768 or more"), so messages say "at least" rather than a count that may be
   * far too low.
   */
  default boolean countsAreLowerBounds() {
    return false;
  }

  /** For when no breach set is configured: policies refuse passwords unless they opt out. */
  BreachedPasswords UNAVAILABLE = new BreachedPasswords() {
    @Override
    public long prevalence(byte[] sha1) {
      return 0;
    }

    @Override
    public boolean available() {
      return false;
    }
  };
}
