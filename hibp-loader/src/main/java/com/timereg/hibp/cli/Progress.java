package com.timereg.hibp.cli;

import java.io.PrintStream;
import java.time.Duration;

/**
 * A progress line on the terminal, redrawn at most once a second with rate and time left. Silent when the
 * output is not a terminal, so logs and pipes get only the final summary.
 */
final class Progress {
  private static final long REDRAW_NANOS = 1_000_000_000L;

  private final PrintStream out;
  private final String unit;
  private final long start = System.nanoTime();
  private long lastDraw = start;
  private boolean drawn;

  private Progress(PrintStream out, String unit) {
    this.out = out;
    this.unit = unit;
  }

  /** A progress line on stderr when there is a terminal, otherwise null. */
  static Progress onTerminal(String unit) {
    return System.console() != null ? new Progress(System.err, unit) : null;
  }

  /** @param extra appended text, e.g. entries so far */
  void update(long done, long total, String extra) {
    long now = System.nanoTime();
    if (now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    double seconds = (now - start) / 1e9;
    double rate = done / seconds;
    String eta = rate > 0 && total > done ? format(Duration.ofSeconds((long) ((total - done) / rate))) : "-";
    String pct = total > 0 ? String.format("%5.1f%%", 100.0 * done / total) : "";
    out.print(String.format("\r%s %s of %s, %s/s%s, %s left   ", pct, human(done), human(total),
        human((long) rate), extra.isEmpty() ? "" : ", " + extra, eta));
    out.flush();
    drawn = true;
  }

  void done() {
    if (drawn) {
      out.println();
    }
  }

  String human(long n) {
    if (!unit.equals("B")) {
      return n < 10_000 ? n + " " + unit : String.format("%.1f M %s", n / 1e6, unit);
    }
    if (n < 1 << 20) {
      return String.format("%.1f KiB", n / 1024.0);
    }
    return n < 1L << 30 ? String.format("%.1f MiB", n / 1048576.0) : String.format("%.2f GiB", n / 1073741824.0);
  }

  static String format(Duration d) {
    long s = d.getSeconds();
    return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60) : String.format("%dm%02ds", s / 60, s % 60);
  }
}
