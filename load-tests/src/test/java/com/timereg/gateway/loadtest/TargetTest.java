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
  private static final String INSECURE_TRUST = "gatling.ssl.useInsecureTrustManager";

  @AfterEach
  void clear() {
    System.clearProperty("baseUrl");
    System.clearProperty(INSECURE_TRUST);
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://127.0.0.1:8443", "https://127.0.0.1:8443/", "https://gw.example", "HTTPS://gw.example:443"})
  void anOriginIsTaken(String url) {
    System.setProperty("baseUrl", url);
    System.setProperty(INSECURE_TRUST, "false");
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

  /**
   * Gatling trusts every certificate unless told otherwise: against another machine, a man in the middle would
   * get the accounts' passwords (and a gateway's tokens) from a run that reports nothing wrong. Such a run stops
   * before any traffic unless certificates are verified; this machine's own gateway (the dev mode's self-signed
   * certificate, a stub) may still be trusted blindly.
   */
  @ParameterizedTest
  @ValueSource(strings = {"https://gw.example", "https://10.0.0.5:8443", "https://gw.example.:443",
      "https://127.0.0.1.example", "https://[2001:db8::1]:8443"})
  void anotherMachineWithoutCertificateVerificationStopsTheRun(String url) {
    System.setProperty("baseUrl", url);
    assertThatThrownBy(Target::fromSystemProperties).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-DbaseUrl").hasMessageContaining("gatling.ssl.useInsecureTrustManager=false");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://gw.example", "http://10.0.0.5:8080"})
  void plainHttpToAnotherMachineStopsTheRunEvenWithVerificationOn(String url) {
    System.setProperty("baseUrl", url);
    System.setProperty(INSECURE_TRUST, "false");
    assertThatThrownBy(Target::fromSystemProperties).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-DbaseUrl").hasMessageContaining("must be https");
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://127.0.0.1:8443", "https://127.1.2.3:8443", "https://localhost:8443", "https://[::1]:8443",
      "http://127.0.0.1:8080", "http://LOCALHOST:8080"})
  void thisMachineMayBeTrustedBlindly(String url) {
    System.setProperty("baseUrl", url);
    assertThat(Target.fromSystemProperties().baseUrl()).isEqualTo(url);
  }
}
