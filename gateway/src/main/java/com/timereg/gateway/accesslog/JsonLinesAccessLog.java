package com.timereg.gateway.accesslog;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each entry as one JSON object on one line to the SLF4J logger {@value #LOGGER}, whose appender
 * decides where it goes; the shipped {@code logback.xml} hands it to an asynchronous appender that drops
 * lines rather than block an event loop when standard output cannot keep up. Every string is escaped,
 * control and non-ASCII characters included, so a client cannot forge or break a line (log injection).
 */
public final class JsonLinesAccessLog implements AccessLog {
  public static final String LOGGER = "gateway.access";
  /** Longer paths and user agents are cut: the request line alone may be 8 KiB. */
  static final int MAX_TEXT = 1024;

  private final Logger log;
  private final Clock clock;

  public JsonLinesAccessLog(Clock clock) {
    this(LoggerFactory.getLogger(LOGGER), clock);
  }

  JsonLinesAccessLog(Logger log, Clock clock) {
    this.log = log;
    this.clock = clock;
  }

  @Override
  public boolean enabled() {
    return log.isInfoEnabled();
  }

  @Override
  public void log(AccessEntry e) {
    if (log.isInfoEnabled()) {
      log.info(format(e, Instant.ofEpochMilli(clock.millis())));
    }
  }

  static String format(AccessEntry e, Instant time) {
    StringBuilder sb = new StringBuilder(256);
    sb.append("{\"time\":\"").append(DateTimeFormatter.ISO_INSTANT.format(time)).append('"');
    text(sb, "client", e.client());
    text(sb, "method", e.method());
    text(sb, "path", e.path());
    text(sb, "protocol", e.protocol());
    text(sb, "host", e.host());
    sb.append(",\"status\":").append(e.status());
    sb.append(",\"bytes\":").append(e.bytes());
    sb.append(",\"duration_us\":").append(e.durationMicros());
    text(sb, "user", e.user());
    text(sb, "customer", e.customer());
    text(sb, "auth", e.authMethod());
    text(sb, "via", e.via());
    text(sb, "user_agent", e.userAgent());
    return sb.append('}').toString();
  }

  /** A string field, left out when null. */
  private static void text(StringBuilder sb, String name, String value) {
    if (value == null) {
      return;
    }
    sb.append(",\"").append(name).append("\":\"");
    int end = Math.min(value.length(), MAX_TEXT);
    for (int i = 0; i < end; i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c >= 0x7f) {
        sb.append("\\u").append(Character.forDigit(c >> 12 & 15, 16)).append(Character.forDigit(c >> 8 & 15, 16))
            .append(Character.forDigit(c >> 4 & 15, 16)).append(Character.forDigit(c & 15, 16));
      } else {
        sb.append(c);
      }
    }
    if (value.length() > end) {
      sb.append("...");
    }
    sb.append('"');
  }
}
