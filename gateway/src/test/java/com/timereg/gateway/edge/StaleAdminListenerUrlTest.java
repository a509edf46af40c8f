package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import com.timereg.gateway.config.ShippedImageTest;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway killed with -9 (or crashed) leaves {@code data-dir/admin-listener.url} behind. The image's health check
 * must not take it for a running gateway's: here the old port is answered by something else that says 200 on
 * /health/live (another listener that took the port), which the check asked and believed.
 */
@ExtendWith(PostgresExtension.class)
class StaleAdminListenerUrlTest {
  @TempDir Path dir;
  HttpServer oldPort;

  @BeforeEach
  void somethingElseAnswersOnTheOldPort() throws Exception {
    oldPort = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    oldPort.createContext("/health/live", exchange -> {
      byte[] body = "{\"status\":\"UP\"}".getBytes(StandardCharsets.US_ASCII);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    oldPort.start();
  }

  @AfterEach
  void stopIt() {
    oldPort.stop(0);
  }

  private String oldUrl() {
    return "http://127.0.0.1:" + oldPort.getAddress().getPort();
  }

  @Test
  void aFileWhoseProcessIsGoneOrWithoutAProcessIsRefusedByTheHealthCheck() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path file = data.resolve(AdminListenerUrl.FILE_NAME);
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    // As a gateway killed with -9 left it: the URL and its own process id, which is no process any more.
    Files.writeString(file, oldUrl() + "\n" + gone.pid() + "\n", StandardCharsets.US_ASCII);
    assertThat(ShippedImageTest.runHealthCheck(data)).as("the writer is gone").isNotZero();
    // As a gateway before process ids were written left it.
    Files.writeString(file, oldUrl() + "\n", StandardCharsets.US_ASCII);
    assertThat(ShippedImageTest.runHealthCheck(data)).as("no process id").isNotZero();
    // The same URL from a live writer (this JVM) is asked: the check above failed for the staleness only.
    Files.writeString(file, oldUrl() + "\n" + ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
    assertThat(ShippedImageTest.runHealthCheck(data)).as("a live writer").isZero();
  }

  /**
   * In a container the gateway is process 1 again after a restart, so the old file's process id is alive: the start
   * removes the file as soon as it holds the data directory, before it listens, and a start that fails after that
   * (here on a busy public port) leaves nothing the check would believe.
   */
  @Test
  void aStartRemovesAFileLeftByAGatewayThatDidNotStopBeforeItListens(TestDatabase db) throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path file = data.resolve(AdminListenerUrl.FILE_NAME);
    Files.writeString(file, oldUrl() + "\n" + ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
    try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      Map<String, String> clash = Map.of("GATEWAY_PUBLIC__PORT", Integer.toString(busy.getLocalPort()));
      assertThatThrownBy(() -> Gateway.start(TestGateways.config(dir, db, clash))).hasMessageContaining("in use");
    }
    assertThat(file).as("removed by the start").doesNotExist();
    assertThat(ShippedImageTest.runHealthCheck(data)).isNotZero();
  }
}
