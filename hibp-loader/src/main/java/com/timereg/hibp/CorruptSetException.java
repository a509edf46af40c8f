package com.timereg.hibp;

import java.io.IOException;

/** A set file that is not a valid HIBP set: wrong magic or version, damaged, truncated. */
public final class CorruptSetException extends IOException {
  private static final long serialVersionUID = 1L;

  public CorruptSetException(String message) {
    super(message);
  }
}
