package com.timereg.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SsoSettingsTest {
  private static SsoSettings with(String template, Optional<URI> base, boolean devMode) {
    SsoSettings d = SsoSettings.DEFAULTS;
    return new SsoSettings(template, base, devMode, d.discoveryTimeout(), d.tokenTimeout(), d.requestLifetime(),
        d.clockSkew(), d.providerRefresh(), d.maxStartsPerAddressPerMinute());
  }

  @Test
  void defaultsAreValidAndPointAtEntraIdV2() {
    assertThat(SsoSettings.DEFAULTS.problems()).isEmpty();
    assertThat(SsoSettings.DEFAULTS.authorityFor("7f1c")).isEqualTo("https://login.microsoftonline.com/7f1c/v2.0");
  }

  @Test
  void authorityOriginIsWhatTheLoginFormMayBeRedirectedTo() {
    assertThat(SsoSettings.DEFAULTS.authorityOrigin()).isEqualTo("https://login.microsoftonline.com");
    assertThat(with("http://LocalHost:8080/{tenant}/v2.0", Optional.empty(), false).authorityOrigin())
        .isEqualTo("http://localhost:8080");
    assertThat(with("https://user@idp.example/{tenant}", Optional.empty(), false).authorityOrigin())
        .isEqualTo("https://idp.example");
    assertThat(with("not a url {tenant}", Optional.empty(), false).authorityOrigin()).isNull();
  }

  @Test
  void plainHttpAuthorityOnlyToLoopback() {
    assertThat(with("http://localhost:8080/{tenant}", Optional.empty(), false).problems()).isEmpty();
    assertThat(with("http://127.0.0.1:8080/{tenant}", Optional.empty(), false).problems()).isEmpty();
    assertThat(with("http://idp.example/{tenant}", Optional.empty(), false).problems())
        .anyMatch(p -> p.contains("https"));
  }

  @Test
  void authorityNeedsTheTenantPlaceholder() {
    assertThat(with("https://login.microsoftonline.com/common/v2.0", Optional.empty(), false).problems())
        .anyMatch(p -> p.contains("{tenant}"));
  }

  @Test
  void publicBaseUrlIsAnHttpsOriginWithoutPath() {
    assertThat(with(SsoSettings.DEFAULT_AUTHORITY_TEMPLATE, Optional.of(URI.create("https://gw.example:8443")), false)
        .problems()).isEmpty();
    assertThat(with(SsoSettings.DEFAULT_AUTHORITY_TEMPLATE, Optional.of(URI.create("http://gw.example")), false)
        .problems()).hasSize(1);
    assertThat(with(SsoSettings.DEFAULT_AUTHORITY_TEMPLATE, Optional.of(URI.create("https://gw.example/app")), false)
        .problems()).hasSize(1);
  }

  @Test
  void redirectUriComesFromThePublicBaseUrlOrInDevModeFromTheListenerPort() {
    SsoSettings configured = with(SsoSettings.DEFAULT_AUTHORITY_TEMPLATE, Optional.of(URI.create("https://gw.example")), false);
    assertThat(SsoService.redirectUri(configured, 8443)).contains("https://gw.example/sso/callback");
    SsoSettings dev = with(SsoSettings.DEFAULT_AUTHORITY_TEMPLATE, Optional.empty(), true);
    assertThat(SsoService.redirectUri(dev, 40123)).contains("https://localhost:40123/sso/callback");
    assertThat(SsoService.redirectUri(dev, 0)).isEmpty();
    SsoSettings production = with(SsoSettings.DEFAULT_AUTHORITY_TEMPLATE, Optional.empty(), false);
    assertThat(SsoService.redirectUri(production, 8443)).isEmpty();
  }

  @Test
  void durationsMustBePositive() {
    SsoSettings d = SsoSettings.DEFAULTS;
    SsoSettings bad = new SsoSettings(d.authorityTemplate(), Optional.empty(), false, Duration.ZERO, d.tokenTimeout(),
        d.requestLifetime(), Duration.ofSeconds(-1), d.providerRefresh(), d.maxStartsPerAddressPerMinute());
    assertThat(bad.problems()).hasSize(2);
  }
}
