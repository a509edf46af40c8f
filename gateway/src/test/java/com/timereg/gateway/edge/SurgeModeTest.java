package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.SourceClient;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Surge mode through HTTP: a wave of failures from many ranges halves the per-address limit. */
@ExtendWith(PostgresExtension.class)
class SurgeModeTest {
  static final int SURGE_PER_MINUTE = 10;
  static final int LIMIT = 4;

  @TempDir static Path dir;
  static ThrottledGateway gw;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    gw = ThrottledGateway.start(dir, db, Map.of(
        "GATEWAY_THROTTLE__SURGE_FAILURES_PER_MINUTE", Integer.toString(SURGE_PER_MINUTE),
        "GATEWAY_THROTTLE__IP_FAILURE_LIMIT", Integer.toString(LIMIT)));
  }

  @AfterAll
  static void stop() {
    ThrottledGateway.closeIfStarted(gw);
  }

  @Test
  void failuresFromManyRangesTurnSurgeOnAndHalveTheAddressLimit() {
    assertThat(SourceClient.sample(gw.metrics(), "gateway_throttle_surge_active")).isEqualTo(0);
    // A few more than the threshold: the rate is estimated over a sliding minute from two fixed
    // ones, and a minute boundary inside the wave must not leave it a fraction short.
    for (int n = 1; n <= SURGE_PER_MINUTE + 2; n++) {
      try (SourceClient c = gw.from("127.0." + (40 + n) + ".1")) {
        assertThat(c.failLogin().status()).isEqualTo(401);
      }
    }
    assertThat(SourceClient.sample(gw.metrics(), "gateway_throttle_surge_active")).isEqualTo(1);

    try (SourceClient fresh = gw.from("127.0.60.9")) {
      assertThat(fresh.failUntilBlocked(LIMIT, Map.of())).as("half of %d", LIMIT).isEqualTo(LIMIT / 2);
    }
  }
}
