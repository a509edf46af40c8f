package com.timereg.gateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code -DbaseUrl} is checked before any traffic: a URL the simulations cannot use stops the run naming the
 * property, rather than failing every request of a run that then reports the gateway as broken.
 */
class TargetTest {
  @AfterEach
  void clear() {
    System.clearProperty("baseUrl");
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://127.0.0.1:8443", "https://127.0.0.1:8443/", "http://gw.example", "HTTPS://gw.example:443"})
  void anOriginIsTaken(String url) {
    System.setProperty("baseUrl", url);
    assertThat(Target.fromSystemProperties().baseUrl()).isEqualTo(url.replaceAll("/$", ""));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://gw.example", "ws://gw.example", "https://user:pw@gw.example", "https://gw.example?x=1",
      "https://gw.example#top", "https://gw.example/app", "gw.example:8443", "https://gw example", "https://"})
  void anythingElseStopsTheRunNamingTheProperty(String url) {
    System.setProperty("baseUrl", url);
    assertThatThrownBy(Target::fromSystemProperties).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-DbaseUrl").hasMessageNotContaining(":pw@");
  }
}
