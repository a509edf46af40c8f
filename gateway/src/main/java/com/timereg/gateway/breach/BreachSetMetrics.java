package com.timereg.gateway.breach;

/** What the breach set reports; {@link MicrometerBreachSetMetrics} is the real one. */
public interface BreachSetMetrics {

  /** How one lookup ended, as a metric tag. */
  enum Lookup {
    FOUND,
    NOT_FOUND,
    /** The lookup threw (a set closed under it twice in a row): the check treats the set as unavailable. */
    ERROR
  }

  void lookup(Lookup result);

  /** A set was mapped and is now in use ({@code entries} = 0: none is). */
  void inUse(long entries);

  /** A set file (new or replaced) could not be opened; the previous set, if any, stays in use. */
  void loadFailed();

  BreachSetMetrics NONE = new BreachSetMetrics() {
    @Override
    public void lookup(Lookup result) {}

    @Override
    public void inUse(long entries) {}

    @Override
    public void loadFailed() {}
  };
}
