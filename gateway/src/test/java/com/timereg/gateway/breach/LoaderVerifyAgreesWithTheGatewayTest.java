package com.timereg.gateway.breach;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.tls.KeyFileMode;
import com.timereg.hibp.HibpSet;
import com.timereg.hibp.cli.Main;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hibp-loader verify} is what an operator runs before putting a set in place: it must pass exactly the
 * files the gateway loads (verified on load), so that a set it calls good is not then refused at the next reload.
 */
class LoaderVerifyAgreesWithTheGatewayTest {
  private static final Instant BUILT = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;
  Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    Await.await(vertx.close());
  }

  @Test
  void anEmptySetIsRefusedByBoth() throws IOException {
    Path file = dir.resolve("empty.set");
    BreachSetFiles.write(file, Map.of(), 0, 1, BUILT);
    assertThat(verifyExitCode(file)).isEqualTo(Main.NEGATIVE);
    assertThat(gatewayLoads(file)).isFalse();
  }

  @Test
  void aSetWithEntriesIsAcceptedByBoth() throws IOException {
    Path file = dir.resolve("one.set");
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 0, 1, BUILT);
    assertThat(verifyExitCode(file)).isEqualTo(Main.OK);
    assertThat(gatewayLoads(file)).isTrue();
  }

  @Test
  void aDamagedSetIsRefusedByBoth() throws IOException {
    Path file = dir.resolve("damaged.set");
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 1_000, 1, BUILT);
    long records;
    try (HibpSet valid = HibpSet.open(file)) {
      records = valid.header().recordsOffset();
    }
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) records] = (byte) ~bytes[(int) records];
    Files.write(file, bytes);
    assertThat(verifyExitCode(file)).isEqualTo(Main.NEGATIVE);
    assertThat(gatewayLoads(file)).isFalse();
  }

  private static int verifyExitCode(Path file) {
    return Main.commandLine().setOut(new PrintWriter(new StringWriter(), true))
        .setErr(new PrintWriter(new StringWriter(), true)).execute("verify", file.toString());
  }

  private boolean gatewayLoads(Path file) {
    BreachSet set = new BreachSet(vertx,
        new BreachSetSettings(Optional.of(file), Duration.ofHours(1), false, Duration.ZERO, true, true),
        BreachSetMetrics.NONE, KeyFileMode::breachSetRefusal);
    try {
      Await.await(set.start());
      return set.available();
    } finally {
      Await.await(set.close());
    }
  }
}
