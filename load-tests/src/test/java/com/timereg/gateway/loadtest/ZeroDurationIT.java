package com.timereg.gateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.gatling.javaapi.core.Simulation;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -Dduration=0} (or {@code 0s}, {@code 0ms}) is no run: LegitimateTraffic and CredentialStuffing crashed in
 * Gatling ("requirement failed: can't inject a non 0 rate (1.0) for a 0 duration", naming no property),
 * ProxyThroughput ended at once and PasswordChange never entered its loop, both then failing assertions as if
 * the gateway had. Each must stop before any traffic naming the property. No gateway is needed: the target is a
 * port nothing listens on, and nothing may be sent to it.
 */
class ZeroDurationIT {
  @TempDir
  Path tmp;

  @ParameterizedTest
  @ValueSource(classes = {LegitimateTraffic.class, CredentialStuffing.class, ProxyThroughput.class, PasswordChange.class})
  void aZeroDurationStopsTheRunNamingTheProperty(Class<? extends Simulation> simulation) {
    Throwable refused = catchThrowable(() -> GatlingRunner.run(simulation,
        Map.of("baseUrl", "http://127.0.0.1:9", "duration", "0s"), tmp.resolve("gatling")));
    assertThat(refused).withFailMessage("%s ran with -Dduration=0s", simulation.getSimpleName()).isNotNull();
    assertThat(refused).rootCause().hasMessageContaining("-Dduration");
  }

  /**
   * A simulation refused in its set-up never reaches Params.refuseMisspelt, which forgets the parameters it read:
   * the next simulation in this JVM would take them for its own, and -Dconcurrency (ProxyThroughput's) given to
   * it would pass unchecked instead of stopping it as another simulation's parameter.
   */
  @Test
  void aRefusedRunLeavesNoParametersToTheNextSimulation() {
    catchThrowable(() -> GatlingRunner.run(ProxyThroughput.class,
        Map.of("baseUrl", "http://127.0.0.1:9", "duration", "0s"), tmp.resolve("gatling")));
    System.setProperty("concurrency", "3");
    try {
      // The next simulation reads none of ProxyThroughput's parameters.
      assertThatThrownBy(Params::refuseMisspelt).hasMessageContaining("-Dconcurrency is a parameter of other");
    } finally {
      System.clearProperty("concurrency");
    }
  }
}
