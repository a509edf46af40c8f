package com.timereg.gateway.config;

import com.timereg.gateway.sso.SsoSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * Microsoft sign-in settings ({@code sso.*}) and the environment the customers' client-secret
 * references ({@code env:NAME}) are resolved in when used.
 */
public record SsoConfig(SsoSettings settings, Function<String, String> environment) {

  static SsoConfig read(ConfigReader r, Function<String, String> env, boolean devMode) {
    SsoSettings d = SsoSettings.DEFAULTS;
    Optional<URI> base = r.optionalString("sso.public-base-url").flatMap(s -> {
      try {
        // A trailing slash is what people paste; the redirect URI appends its own.
        return Optional.of(new URI(s.endsWith("/") ? s.substring(0, s.length() - 1) : s));
      } catch (URISyntaxException e) {
        r.problem("sso.public-base-url", "not a valid URL: " + e.getReason());
        return Optional.empty();
      }
    });
    SsoSettings settings = new SsoSettings(
        r.string("sso.authority-template", d.authorityTemplate()),
        base,
        devMode,
        r.duration("sso.discovery-timeout", d.discoveryTimeout(), Duration.ofMillis(100), Duration.ofMinutes(2)),
        r.duration("sso.token-timeout", d.tokenTimeout(), Duration.ofMillis(100), Duration.ofMinutes(2)),
        r.duration("sso.request-lifetime", d.requestLifetime(), Duration.ofMinutes(1), Duration.ofHours(1)),
        r.duration("sso.clock-skew", d.clockSkew(), Duration.ZERO, Duration.ofMinutes(10)),
        r.duration("sso.provider-refresh", d.providerRefresh(), Duration.ofMinutes(1), Duration.ofDays(7)),
        r.integer("sso.max-starts-per-address-per-minute", d.maxStartsPerAddressPerMinute(), 1, 1_000_000),
        r.integer("sso.max-pending-sign-ins", d.maxPendingSignIns(), 1, 100_000_000));
    settings.problems().forEach(p -> r.problem("sso", p));
    return new SsoConfig(settings, env);
  }

  @Override
  public String toString() {
    return "SsoConfig[" + settings + "]";
  }
}
