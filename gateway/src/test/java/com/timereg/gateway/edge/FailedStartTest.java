package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start that fails half-way, after the public listener is up, releases what it started at once and
 * reports why; a second start in the same JVM then works.
 */
@ExtendWith(PostgresExtension.class)
class FailedStartTest {
  @TempDir Path dir;

  /** A newcomer's 8443 is often taken: the failure must say which listener, which port and what to change. */
  @Test
  void aBusyPublicPortIsNamedInTheFailure(TestDatabase db) throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      Map<String, String> clash = Map.of("GATEWAY_PUBLIC__PORT", Integer.toString(busy.getLocalPort()));
      assertThatThrownBy(() -> Gateway.start(TestGateways.config(dir, db, clash)))
          .hasMessageStartingWith("the public listener cannot listen on 127.0.0.1:" + busy.getLocalPort())
          .hasMessageContaining("in use")
          .hasMessageContaining("public.port");
    }
  }

  /**
   * The shutdown delay is for load balancers to notice a node leaving; a node whose start failed was never
   * ready, so none sends it traffic, and waiting the delay would only hold the port, the maps' lock and the
   * process (and a crash-looping pod) for up to five minutes.
   */
  @Test
  void aStartFailingOnABusyAdminPortGivesUpAtOnceWithoutWaitingTheShutdownDelay(TestDatabase db) throws Exception {
    Map<String, String> env = Map.of("GATEWAY_PUBLIC__SHUTDOWN_DELAY", "5m");
    try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      Map<String, String> clash = new java.util.HashMap<>(env);
      clash.put("GATEWAY_ADMIN__PORT", Integer.toString(busy.getLocalPort()));
      assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
          assertThatThrownBy(() -> Gateway.start(TestGateways.config(dir, db, clash)))
              .hasMessageContaining("in use"));
    }
    // Same data directory: the failed start released the throttle maps' lock. (No delay here: this one starts,
    // and its stop would wait it.)
    Gateway again = Gateway.start(TestGateways.config(dir, db, Map.of()));
    try {
      assertThat(again.adminPort()).isPositive();
    } finally {
      again.stop();
    }
  }
}
