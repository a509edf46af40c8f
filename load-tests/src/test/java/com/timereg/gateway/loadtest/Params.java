package com.timereg.gateway.loadtest;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Simulation parameters, read from system properties ({@code -Dname=value} on the Maven command
 * line). Every parameter has a default that works against {@code bin/gateway --dev} on this
 * machine; README.md ("Load tests") lists them. A value that does not parse stops the run before
 * any traffic, naming the property, rather than silently falling back to the default; so does a property
 * that looks like a misspelt parameter ({@link #refuseMisspelt()}).
 */
final class Params {
  /**
   * Every parameter the simulation being set up has asked for; {@link #refuseMisspelt()} forgets them, so that
   * the next simulation in the same JVM (the ITs run several) is checked against its own parameters only.
   */
  private static final Set<String> READ = ConcurrentHashMap.newKeySet();

  /**
   * Every parameter of any simulation, as README.md ("Load tests", "Parameters") lists them
   * ({@code ParamsTest} holds the three to each other). A simulation stops on one of these that it does not
   * read: {@code -Dpages} given to {@code ProxyThroughput} (whose page is {@code -Dpath}) would otherwise be
   * ignored, and the run would measure the default without a word.
   */
  static final Set<String> ANY_SIMULATION = Set.of("baseUrl", "http2", "credentials", "pages", "identityPath",
      "sources", "clientAddressHeader", "usersPerSec", "rampUp", "duration", "pageViews", "thinkTime", "attackRanges",
      "attackersPerRange", "attackFirstRange", "attackSources", "legitSources", "attackDelay", "attackRampUp",
      "attackLimit", "rangeLimit", "concurrency", "path", "minRps", "users", "expectPwned", "maxFailedPct",
      "minLegitSuccessPct", "p99Ms", "loginP99Ms", "checkP99Ms", "changeP99Ms");

  private Params() {}

  private static String property(String name) {
    READ.add(name);
    return System.getProperty(name);
  }

  /**
   * Stops the run when a system property is not a parameter the simulation asked for but nearly the name of one
   * ({@code -Dconcurency=32}, {@code -DDuration=5m}) or another simulation's ({@link #ANY_SIMULATION}): it would
   * otherwise be ignored, and the run would measure the default without a word. Properties with a dot (Java's,
   * Maven's, Gatling's) are not parameters. Call it once the simulation has read all of its parameters.
   */
  static void refuseMisspelt() {
    try {
      check();
    } finally {
      forget();
    }
  }

  /**
   * Forgets the parameters read so far. {@link #refuseMisspelt()} does so at the end of a simulation's set-up;
   * a simulation that stopped before it (a bad value) leaves them, and in a JVM that runs several
   * ({@code GatlingRunner}, the ITs) the next one would take them for its own and let their misspellings pass.
   */
  static void forget() {
    READ.clear();
  }

  private static void check() {
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.indexOf('.') >= 0 || READ.contains(name)) {
        continue;
      }
      if (ANY_SIMULATION.contains(name)) {
        throw new IllegalArgumentException("-D" + name + " is a parameter of other simulations, not of this one, and"
            + " would be ignored; this one takes " + String.join(", ", new java.util.TreeSet<>(READ))
            + " (README.md, \"Load tests\", lists them)");
      }
      for (String known : READ) {
        if (nearly(name.toLowerCase(Locale.ROOT), known.toLowerCase(Locale.ROOT))) {
          throw new IllegalArgumentException("-D" + name + " is no parameter of this simulation; did you mean -D"
              + known + "? (README.md, \"Load tests\", lists them)");
        }
      }
    }
  }

  /** Equal but for case, or at most two edits apart (for names long enough that this says something). */
  static boolean nearly(String a, String b) {
    if (a.equals(b)) {
      return true;
    }
    if (Math.min(a.length(), b.length()) < 5 || Math.abs(a.length() - b.length()) > 2) {
      return false;
    }
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()] <= 2;
  }

  static String string(String name, String fallback) {
    String v = property(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  static int integer(String name, int fallback, int min) {
    String v = property(name);
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
    String v = property(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      double parsed = Double.parseDouble(v.trim());
      if (!(parsed >= 0)) {
        throw new IllegalArgumentException("-D" + name + " must be zero or positive, was " + v);
      }
      if (Double.isInfinite(parsed)) {
        // parseDouble reads "Infinity" and 1e400: as an arrival rate, users without end.
        throw new IllegalArgumentException("-D" + name + " must be a finite number, was " + v);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + name + " must be a number, was '" + v + "'", e);
    }
  }

  /**
   * A percentage, 0 to 100: a threshold above 100 (150 meant as 1.5) made an assertion that cannot fail, as Gatling
   * compares it with a percentage of requests.
   */
  static double percent(String name, double fallback) {
    double parsed = decimal(name, fallback);
    if (parsed > 100) {
      throw new IllegalArgumentException("-D" + name + " is a percentage, 0 to 100, was " + property(name));
    }
    return parsed;
  }

  static boolean flag(String name, boolean fallback) {
    String v = property(name);
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
    String v = property(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    return parseDuration(name, v.trim().toLowerCase(Locale.ROOT));
  }

  /**
   * As {@link #duration(String, Duration)}, refusing zero too when {@code positive}: a run's {@code duration} of 0
   * made Gatling crash (an arrival rate over no time; "Undefined run start") or a simulation skip its loop, and
   * fail as if the gateway had.
   */
  static Duration duration(String name, Duration fallback, boolean positive) {
    Duration d = duration(name, fallback);
    if (positive && d.isZero()) {
      throw new IllegalArgumentException("-D" + name + " must be more than zero, was " + property(name).trim());
    }
    return d;
  }

  static Duration parseDuration(String name, String v) {
    try {
      if (v.endsWith("ms")) {
        return nonNegative(name, v, Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2))));
      } else if (v.endsWith("s")) {
        return nonNegative(name, v, Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1))));
      } else if (v.endsWith("m")) {
        return nonNegative(name, v, Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1))));
      } else if (v.endsWith("h")) {
        return nonNegative(name, v, Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1))));
      }
      return nonNegative(name, v, Duration.ofSeconds(Long.parseLong(v)));
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("-D" + name + " must be a duration such as 500ms, 30s, 5m or 1h, was '" + v + "'", e);
    }
  }

  private static Duration nonNegative(String name, String v, Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("-D" + name + " must be zero or positive, was " + v);
    }
    return d;
  }
}
