package com.timereg.gateway.admin;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as staff type them: {@code 90s}, {@code 15m}, {@code 2h}, {@code 7d}, {@code 1w},
 * combinations such as {@code 1h30m}, or ISO-8601 ({@code PT15M}, {@code P1D}). A leading minus is
 * parsed, not refused here, so that the block rules can say plainly that a duration must be
 * positive. Bounds (at least a minute, at most the configured maximum) are the block rules' job.
 */
final class DurationInput {
  private static final Pattern PART = Pattern.compile("(\\d{1,9})\\s*(s|m|h|d|w)");
  private static final Pattern WHOLE = Pattern.compile("(\\d{1,9}\\s*(s|m|h|d|w)\\s*)+");

  private DurationInput() {}

  /** The duration, or a {@link ApiResponses.BadRequest} naming what would be accepted. */
  static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new ApiResponses.BadRequest("duration is required, e.g. 15m, 2h, 7d or PT15M");
    }
    String s = text.strip().toLowerCase(Locale.ROOT);
    boolean negative = s.startsWith("-");
    String body = negative ? s.substring(1).strip() : s;
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
    return negative ? d.negated() : d;
  }

  private static Duration units(String s) {
    if (!WHOLE.matcher(s).matches()) {
      return null;
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(s);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      Duration part = switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofDays(Math.multiplyExact(n, 7));
      };
      total = total.plus(part);
    }
    return total;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
