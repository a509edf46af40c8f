package com.timereg.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProxySettingsTest {

  @Test
  void defaultsAreTheDocumentedConstants() {
    ProxySettings settings = ProxySettings.defaults(URI.create("https://app.internal"));

    assertThat(settings.maxConnectionsPerEventLoop()).isEqualTo(100);
    assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.responseTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.backendTls()).isTrue();
    assertThat(settings.backendPort()).isEqualTo(443);
    assertThat(settings.http2()).isFalse();
    assertThat(settings.gatewayCookiePrefix()).isEqualTo("__Host-gw");
  }

  @Test
  void reportsEveryProblemAtOnce() {
    assertThatThrownBy(() -> new ProxySettings(URI.create("ftp://app/base?x=1"), Optional.of(Path.of("ca.pem")),
        Optional.of(Path.of("cert.pem")), Optional.empty(), 0, -1, false, Duration.ZERO, Duration.ofSeconds(-1),
        Duration.ofMillis(10), List.of("api"), ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http:// or https://")
        .hasMessageContaining("must not have a path")
        .hasMessageContaining("query")
        .hasMessageContaining("both its certificate and its key")
        .hasMessageContaining("maxConnectionsPerEventLoop")
        .hasMessageContaining("maxWaitQueuePerEventLoop")
        .hasMessageContaining("connectTimeout")
        .hasMessageContaining("responseTimeout")
        .hasMessageContaining("keepAliveTimeout")
        .hasMessageContaining("must start with '/'")
        .hasMessageContaining("gatewayCookiePrefix");
  }

  @Test
  void refusesTlsFilesForAPlainHttpBackend() {
    assertThatThrownBy(() -> ProxySettings.defaults(URI.create("http://app:8000"))
        .withTls(Optional.of(Path.of("ca.pem")), Optional.empty(), Optional.empty()))
        .hasMessageContaining("plain http");
  }

  @Test
  void matchesPublicPathsByPrefix() {
    ProxySettings settings = new ProxySettings(URI.create("http://app:8000"), Optional.empty(), Optional.empty(),
        Optional.empty(), 10, 10, false, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1),
        List.of("/static/", "/healthz"), "__Host-gw");

    assertThat(settings.isPublicPath("/static/app.css")).isTrue();
    assertThat(settings.isPublicPath("/api/me")).isFalse();
    assertThat(settings.backendPort()).isEqualTo(8000);
  }
}
