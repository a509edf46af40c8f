package com.timereg.gateway.blocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlockSyncSettingsTest {
  @Test
  void defaultsAreValid() {
    assertThat(BlockSyncSettings.DEFAULTS.problems()).isEmpty();
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    BlockSyncSettings bad = new BlockSyncSettings(null, Duration.ZERO, 33, -1, Duration.ofSeconds(10),
        Duration.ofSeconds(1), null, 0, List.of());

    assertThatThrownBy(bad::requireValid).hasMessage("invalid block sync settings: "
        + "max-manual-block must be a positive duration, was PT0S; "
        + "listener-probe-interval must be a positive duration, was null; "
        + "min-ipv4-prefix must be between 0 and 32, was 33; "
        + "min-ipv6-prefix must be between 0 and 128, was -1; "
        + "max-pending-writes must be at least 1, was 0; "
        + "reconnect-initial-delay must not exceed reconnect-max-delay");
  }

  @Test
  void reconnectWaitDoublesUpToItsCap() {
    BlockSyncSettings s = BlockSyncSettings.DEFAULTS;

    assertThat(List.of(0, 1, 2, 3, 5, 6, 100).stream().map(s::reconnectDelayMillis))
        .containsExactly(100L, 200L, 400L, 800L, 3200L, 5000L, 5000L);
  }

  @Test
  void nodeIdsAreShortSafeNamesAndRandomOnesDiffer() {
    assertThat(NodeId.random()).isNotEqualTo(NodeId.random());
    assertThat(NodeId.random().value()).matches("node-[0-9a-f]{8}");
    assertThat(new NodeId("gateway-7f9c.eu-west_1").value()).isEqualTo("gateway-7f9c.eu-west_1");
    assertThatThrownBy(() -> new NodeId("")).hasMessageContaining("1 to 63");
    assertThatThrownBy(() -> new NodeId("node a")).hasMessageContaining("was 'node a'");
    assertThatThrownBy(() -> new NodeId("x".repeat(64))).isInstanceOf(IllegalArgumentException.class);
  }
}
