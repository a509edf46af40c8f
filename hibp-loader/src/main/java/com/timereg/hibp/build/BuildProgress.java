package com.timereg.hibp.build;

/** Told after every read of input (a few MiB); must be cheap. */
@FunctionalInterface
public interface BuildProgress {
  BuildProgress NONE = (bytesRead, bytesTotal, entries) -> { };

  void update(long bytesRead, long bytesTotal, long entries);
}
