package com.timereg.gateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PagesTest {
  @AfterEach
  void clear() {
    System.clearProperty("pages");
    System.clearProperty("identityPath");
  }

  @Test
  void theDefaultsAreTheDemoBackendsPages() {
    Pages pages = Pages.fromSystemProperties();
    assertThat(pages.paths()).containsExactly("/api/timesheets", "/api/me");
    assertThat(pages.identityPath()).isEqualTo("/api/me");
  }

  @Test
  void noneSkipsTheIdentityCheck() {
    System.setProperty("identityPath", "None");
    assertThat(Pages.fromSystemProperties().identityPath()).isEmpty();
  }

  /**
   * Gatling puts a path that does not start with / straight after baseUrl (https://127.0.0.1:8443api/me: every
   * identity check fails, and the run reports the gateway as broken) and sends a whole URL where it points, with
   * the user's bearer token: to another host. -Dpages was checked so already.
   */
  @ParameterizedTest
  @ValueSource(strings = {"api/me", "https://elsewhere.example/api/me"})
  void anIdentityPathThatIsNoPathStopsTheRunNamingTheProperty(String identity) {
    System.setProperty("identityPath", identity);
    assertThatThrownBy(Pages::fromSystemProperties).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-DidentityPath");
  }

  @ParameterizedTest
  @ValueSource(strings = {"api/timesheets", "/api/me,https://elsewhere.example/x"})
  void aPageThatIsNoPathStopsTheRunNamingTheProperty(String pages) {
    System.setProperty("pages", pages);
    assertThatThrownBy(Pages::fromSystemProperties).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-Dpages");
  }
}
