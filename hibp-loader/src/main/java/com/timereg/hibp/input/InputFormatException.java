package com.timereg.hibp.input;

import java.io.IOException;
import java.nio.file.Path;

/** Input that is not a valid, complete, sorted HIBP download; the message names the file and line. */
public final class InputFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long line;

  public InputFormatException(Path file, long line, String problem) {
    super(file + (line > 0 ? ":" + line : "") + ": " + problem);
    this.file = file;
    this.line = line;
  }

  public Path file() {
    return file;
  }

  /** The 1-based line, or 0 when the problem is the file itself (missing, unreadable). */
  public long line() {
    return line;
  }
}
