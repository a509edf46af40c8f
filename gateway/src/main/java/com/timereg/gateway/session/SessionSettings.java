package com.timereg.gateway.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Lifetimes and housekeeping of sessions and tokens. See docs/session.md for why these defaults;
 * {@link #DEFAULTS} holds them.
 *
 * @param accessTokenLifetime how long a signed access token is accepted (5 min). It is also the
 *     worst-case delay before a revocation takes effect on a node that lost its notification
 *     connection and could not resync, and the window of the in-memory revocation list
 * @param idleTimeout a session whose refresh token was not used for this long is over (30 min)
 * @param absoluteTimeout a session is over this long after sign-in, however active (12 h)
 * @param clockSkewTolerance how far in the future an {@code iat} may lie, for clocks of nodes that
 *     disagree a little (30 s); it also extends how long a revoked session id is remembered
 * @param refreshGrace how long a node hands the same new tokens to a browser that presents the
 *     refresh cookie it has just exchanged (10 s), so that a page's parallel requests after the
 *     access cookie expired do not look like theft; zero keeps only in-flight coalescing
 * @param revocationResyncInterval how often each node reloads recently revoked sessions even
 *     when its notification connection looks healthy (1 min)
 * @param retention ended sessions are deleted this long after their absolute expiry (7 days)
 * @param purgeInterval how often a node deletes sessions past retention (1 h)
 */
public record SessionSettings(
    Duration accessTokenLifetime,
    Duration idleTimeout,
    Duration absoluteTimeout,
    Duration clockSkewTolerance,
    Duration refreshGrace,
    Duration revocationResyncInterval,
    Duration retention,
    Duration purgeInterval) {

  public static final Duration DEFAULT_ACCESS_TOKEN_LIFETIME = Duration.ofMinutes(5);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(30);
  public static final Duration DEFAULT_ABSOLUTE_TIMEOUT = Duration.ofHours(12);
  public static final Duration DEFAULT_CLOCK_SKEW_TOLERANCE = Duration.ofSeconds(30);
  public static final Duration DEFAULT_REFRESH_GRACE = Duration.ofSeconds(10);
  public static final Duration DEFAULT_REVOCATION_RESYNC_INTERVAL = Duration.ofMinutes(1);
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
  public static final Duration DEFAULT_PURGE_INTERVAL = Duration.ofHours(1);
  /**
   * Longer access tokens would make revocation slow on a node without notifications and the
   * revocation list long; clients that need longer access refresh.
   */
  public static final Duration MAX_ACCESS_TOKEN_LIFETIME = Duration.ofHours(1);

  public static final SessionSettings DEFAULTS = new SessionSettings(
      DEFAULT_ACCESS_TOKEN_LIFETIME, DEFAULT_IDLE_TIMEOUT, DEFAULT_ABSOLUTE_TIMEOUT,
      DEFAULT_CLOCK_SKEW_TOLERANCE, DEFAULT_REFRESH_GRACE, DEFAULT_REVOCATION_RESYNC_INTERVAL,
      DEFAULT_RETENTION, DEFAULT_PURGE_INTERVAL);

  /** Every problem with these settings, empty when valid. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    positive(out, "access-token-lifetime", accessTokenLifetime);
    positive(out, "idle-timeout", idleTimeout);
    positive(out, "absolute-timeout", absoluteTimeout);
    notNegative(out, "clock-skew-tolerance", clockSkewTolerance);
    notNegative(out, "refresh-grace", refreshGrace);
    positive(out, "revocation-resync-interval", revocationResyncInterval);
    notNegative(out, "retention", retention);
    positive(out, "purge-interval", purgeInterval);
    if (out.isEmpty()) {
      if (accessTokenLifetime.getSeconds() < 1 || accessTokenLifetime.compareTo(MAX_ACCESS_TOKEN_LIFETIME) > 0) {
        out.add("access-token-lifetime must be between 1 s and " + MAX_ACCESS_TOKEN_LIFETIME + ", was " + accessTokenLifetime);
      }
      if (idleTimeout.compareTo(accessTokenLifetime) < 0) {
        // Otherwise a session would be idle-expired while its access token is still being used.
        out.add("idle-timeout (" + idleTimeout + ") must be at least access-token-lifetime (" + accessTokenLifetime + ")");
      }
      if (absoluteTimeout.compareTo(idleTimeout) < 0) {
        out.add("absolute-timeout (" + absoluteTimeout + ") must be at least idle-timeout (" + idleTimeout + ")");
      }
      if (refreshGrace.compareTo(accessTokenLifetime) >= 0) {
        out.add("refresh-grace (" + refreshGrace + ") must be shorter than access-token-lifetime");
      }
      if (clockSkewTolerance.compareTo(Duration.ofMinutes(5)) > 0) {
        out.add("clock-skew-tolerance must be at most 5 minutes (fix the clocks instead), was " + clockSkewTolerance);
      }
    }
    return out;
  }

  /** Throws one exception naming every problem, so a bad configuration is fixed in one pass. */
  public SessionSettings requireValid() {
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid session settings: " + String.join("; ", problems));
    }
    return this;
  }

  /** A revoked session id must be remembered until every access token of it has expired everywhere. */
  Duration revocationMemory() {
    return accessTokenLifetime.plus(clockSkewTolerance.multipliedBy(2));
  }

  private static void positive(List<String> out, String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      out.add(name + " must be a positive duration, was " + d);
    }
  }

  private static void notNegative(List<String> out, String name, Duration d) {
    if (d == null || d.isNegative()) {
      out.add(name + " must not be negative, was " + d);
    }
  }
}
