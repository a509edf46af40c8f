package com.timereg.gateway.loadtest;

import java.time.Duration;
import java.util.Locale;

/**
 * Simulation parameters, read from system properties ({@code -Dname=value} on the Maven command
 * line). Every parameter has a default that works against {@code bin/gateway --dev} on this
 * machine; README.md ("Load tests") lists them. A value that does not parse stops the run before
 * any traffic, naming the property, rather than silently falling back to the default.
 */
final class Params {
  private Params() {}

  static String string(String name, String fallback) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  static int integer(String name, int fallback, int min) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(v.trim());
      if (parsed < min) {
        throw new IllegalArgumentException("-D" + name + " must be at least " + min + ", was " + v);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + name + " must be a whole number, was '" + v + "'", e);
    }
  }

  static double decimal(String name, double fallback) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      double parsed = Double.parseDouble(v.trim());
      if (!(parsed >= 0)) {
        throw new IllegalArgumentException("-D" + name + " must be zero or positive, was " + v);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + name + " must be a number, was '" + v + "'", e);
    }
  }

  static boolean flag(String name, boolean fallback) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw new IllegalArgumentException("-D" + name + " must be true or false, was '" + v + "'");
    };
  }

  /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}; a bare number is seconds. */
  static Duration duration(String name, Duration fallback) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    return parseDuration(name, v.trim().toLowerCase(Locale.ROOT));
  }

  static Duration parseDuration(String name, String v) {
    try {
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      } else if (v.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      } else if (v.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      } else if (v.endsWith("h")) {
        return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      return Duration.ofSeconds(Long.parseLong(v));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + name + " must be a duration such as 500ms, 30s, 5m or 1h, was '" + v + "'", e);
    }
  }
}
