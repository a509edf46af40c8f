package com.timereg.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SessionSettingsTest {
  @Test
  void defaultsAreValidAndAsDocumented() {
    assertThat(SessionSettings.DEFAULTS.problems()).isEmpty();
    assertThat(SessionSettings.DEFAULTS.accessTokenLifetime()).isEqualTo(Duration.ofMinutes(5));
    assertThat(SessionSettings.DEFAULTS.idleTimeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(SessionSettings.DEFAULTS.absoluteTimeout()).isEqualTo(Duration.ofHours(12));
    assertThat(SessionSettings.DEFAULTS.revocationMemory()).isEqualTo(Duration.ofMinutes(6));
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    SessionSettings bad = new SessionSettings(Duration.ofHours(2), Duration.ofMinutes(30), Duration.ofMinutes(10),
        Duration.ofMinutes(10), Duration.ofHours(3), Duration.ZERO, Duration.ofDays(-1), Duration.ofHours(1));

    assertThat(bad.problems()).hasSize(2)
        .anySatisfy(p -> assertThat(p).startsWith("revocation-resync-interval"))
        .anySatisfy(p -> assertThat(p).startsWith("retention"));
    SessionSettings inconsistent = new SessionSettings(Duration.ofHours(2), Duration.ofMinutes(30), Duration.ofMinutes(10),
        Duration.ofMinutes(10), Duration.ofHours(3), Duration.ofMinutes(1), Duration.ofDays(1), Duration.ofHours(1));
    assertThatThrownBy(inconsistent::requireValid)
        .hasMessageContaining("access-token-lifetime must be between")
        .hasMessageContaining("idle-timeout (PT30M) must be at least access-token-lifetime")
        .hasMessageContaining("absolute-timeout (PT10M) must be at least idle-timeout")
        .hasMessageContaining("refresh-grace")
        .hasMessageContaining("clock-skew-tolerance");
  }
}
