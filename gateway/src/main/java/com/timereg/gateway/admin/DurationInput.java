package com.timereg.gateway.admin;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Durations as staff type them: {@code 90s}, {@code 15m}, {@code 2h}, {@code 7d}, {@code 1w},
 * combinations such as {@code 1h30m}, or ISO-8601 ({@code PT15M}, {@code P1D}). A leading minus is
 * parsed, not refused here, so that the block rules can say plainly that a duration must be
 * positive. Bounds (at least a minute, at most the configured maximum) are the block rules' job.
 */
final class DurationInput {
  private static final int MAX_DIGITS = 9;

  private DurationInput() {}

  /** The duration, or a {@link ApiResponses.BadRequest} naming what would be accepted. */
  static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new ApiResponses.BadRequest("duration is required, e.g. 15m, 2h, 7d or PT15M");
    }
    String s = text.strip().toLowerCase(Locale.ROOT);
    boolean negative = s.startsWith("-");
    String body = negative ? s.substring(1).strip() : s;
    if (!body.isEmpty() && body.chars().allMatch(c -> c == '0')) {
      // Zero needs no unit: it is read so that the block rules say a duration must be positive, rather
      // than this saying "0" is not understood. Any other bare number stays unreadable (15 minutes or days?).
      return Duration.ZERO;
    }
    Duration d;
    try {
      d = body.startsWith("p") ? Duration.parse(body.toUpperCase(Locale.ROOT)) : units(body);
    } catch (DateTimeParseException e) {
      d = null;
    } catch (ArithmeticException e) {
      throw new ApiResponses.BadRequest("duration '" + abbreviate(text) + "' is far too long");
    }
    if (d == null) {
      throw new ApiResponses.BadRequest("duration '" + abbreviate(text)
          + "' is not understood; use e.g. 90s, 15m, 2h, 7d, 1h30m or ISO-8601 such as PT15M");
    }
    // "-PT-5M" is negative however many minus signs it has: negating the inner one would make it a block.
    // An inner negative stays as it is: abs() cannot represent the most negative Duration and would throw.
    return !negative || d.isNegative() ? d : d.negated();
  }

  /**
   * Reads {@code <digits><unit>} parts, spaces allowed between them, by hand: a regular expression
   * with a repeated group recurses once per part in {@code java.util.regex} and overflows the
   * stack on a long (if silly) chain such as {@code 1m1m1m...}, which the body limit allows.
   */
  private static Duration units(String s) {
    Duration total = Duration.ZERO;
    int i = 0;
    int n = s.length();
    boolean any = false;
    while (i < n) {
      int start = i;
      while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        i++;
      }
      if (i == start || i - start > MAX_DIGITS) {
        return null;
      }
      long count = Long.parseLong(s, start, i, 10);
      while (i < n && space(s.charAt(i))) {
        i++;
      }
      if (i == n) {
        return null;
      }
      Duration part = switch (s.charAt(i)) {
        case 's' -> Duration.ofSeconds(count);
        case 'm' -> Duration.ofMinutes(count);
        case 'h' -> Duration.ofHours(count);
        case 'd' -> Duration.ofDays(count);
        case 'w' -> Duration.ofDays(Math.multiplyExact(count, 7));
        default -> null;
      };
      if (part == null) {
        return null;
      }
      i++;
      while (i < n && space(s.charAt(i))) {
        i++;
      }
      total = total.plus(part);
      any = true;
    }
    return any ? total : null;
  }

  /** What {@code \s} matched before: ASCII white space only. */
  private static boolean space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
