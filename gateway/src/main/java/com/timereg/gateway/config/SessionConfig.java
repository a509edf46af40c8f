package com.timereg.gateway.config;

import com.timereg.gateway.session.KeySettings;
import com.timereg.gateway.session.SessionSettings;
import com.timereg.gateway.session.TokenKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Session settings ({@code session.*}): token lifetimes and the signing keys.
 *
 * @param settings lifetimes, timeouts and housekeeping intervals
 * @param keys the signing key and any verification-only keys (secrets, resolved here)
 */
public record SessionConfig(SessionSettings settings, KeySettings keys) {

  static SessionConfig read(ConfigReader r, boolean devMode) {
    SessionSettings d = SessionSettings.DEFAULTS;
    Duration max = Duration.ofDays(3650);
    SessionSettings settings = new SessionSettings(
        r.duration("session.access-token-lifetime", d.accessTokenLifetime(), Duration.ofSeconds(10), SessionSettings.MAX_ACCESS_TOKEN_LIFETIME),
        r.duration("session.idle-timeout", d.idleTimeout(), Duration.ofMinutes(1), max),
        r.duration("session.absolute-timeout", d.absoluteTimeout(), Duration.ofMinutes(1), max),
        r.duration("session.clock-skew-tolerance", d.clockSkewTolerance(), Duration.ZERO, Duration.ofMinutes(10)),
        r.duration("session.refresh-grace", d.refreshGrace(), Duration.ZERO, Duration.ofMinutes(5)),
        r.duration("session.revocation-resync-interval", d.revocationResyncInterval(), Duration.ofSeconds(1), Duration.ofHours(1)),
        r.duration("session.retention", d.retention(), Duration.ZERO, max),
        r.duration("session.purge-interval", d.purgeInterval(), Duration.ofSeconds(10), Duration.ofDays(7)));
    settings.problems().forEach(p -> r.problem("session", p));

    String algorithm = r.string("session.algorithm", KeySettings.DEFAULT_ALGORITHM);
    String keyId = r.string("session.signing-key-id", "k1");
    java.util.Optional<com.timereg.gateway.config.Secret> signingSecret = r.secret("session.signing-key");
    // A file: key's mode and directories are checked as every file: secret is (ConfigReader.secret).
    KeySettings.ConfiguredKey signing = signingSecret
        .map(s -> new KeySettings.ConfiguredKey(keyId, s.reveal())).orElse(null);
    if (signing == null && !devMode) {
      r.problem("session.signing-key", "required outside dev mode: a PEM private key for "
          // Named only when it is one: session.algorithm's own problem says what else it holds, without the value.
          + (TokenKeys.SUPPORTED_ALGORITHMS.contains(algorithm) ? algorithm : "session.algorithm")
          + " as env:NAME or file:PATH (or GATEWAY_SESSION__SIGNING_KEY)");
    }
    List<KeySettings.ConfiguredKey> verification = new ArrayList<>();
    List<String> entries = r.stringList("session.verification-keys", List.of());
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i);
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        // Named by position, not echoed: an entry without KID= is most likely the key itself.
        r.problem("session.verification-keys", "entry " + (i + 1) + " is not KID=env:NAME or KID=file:PATH");
        continue;
      }
      java.util.Optional<com.timereg.gateway.config.Secret> secret =
          r.secretReference("session.verification-keys", entry.substring(eq + 1));
      // Writable by others, a verification key is as good as a signing key: whoever replaces it with their own
      // public key has their tokens accepted. Readable is fine: it is normally a public key.
      secret.flatMap(SessionConfig::file).flatMap(com.timereg.gateway.tls.KeyFileMode::refusal)
          .ifPresent(m -> r.problem("session.verification-keys", m));
      secret.ifPresent(s -> verification.add(new KeySettings.ConfiguredKey(entry.substring(0, eq), s.reveal())));
    }
    KeySettings keys = new KeySettings(algorithm, signing, verification, devMode);
    checkKeys(r, keys);
    return new SessionConfig(settings, keys);
  }

  /** The file a secret was read from, if it was ({@code file:PATH}). */
  private static java.util.Optional<java.nio.file.Path> file(Secret secret) {
    return secret.origin().startsWith("file:")
        ? java.util.Optional.of(java.nio.file.Path.of(secret.origin().substring(5)))
        : java.util.Optional.empty();
  }

  /**
   * Parses the keys now, as the gateway does at start, so that a wrong algorithm or key is reported with the
   * rest (exit status 2) instead of failing the start once the database is up. Without a signing key production
   * already has its problem, and dev mode generates its key at start; dev mode's verification keys are still read.
   */
  private static void checkKeys(ConfigReader r, KeySettings keys) {
    if (!TokenKeys.SUPPORTED_ALGORITHMS.contains(keys.algorithm())) {
      r.problem("session.algorithm", "expected one of " + new java.util.TreeSet<>(TokenKeys.SUPPORTED_ALGORITHMS)
          + ", got " + ConfigReader.shown(keys.algorithm()));
      return;
    }
    if (keys.signingKey() == null && (!keys.devMode() || keys.verificationKeys().isEmpty())) {
      return;
    }
    try {
      TokenKeys.load(keys);
    } catch (IllegalArgumentException e) {
      // TokenKeys' messages name keys by id, never repeat their text.
      r.problem("session", e.getMessage());
    }
  }
}
