package com.timereg.gateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A login the gateway keeps shedding (503 + Retry-After every time) is a user who never got in:
 * after {@link Journeys#MAX_BUSY_TRIES} busy answers it must count as a failed request, or the
 * simulations' failed-request assertions pass while users are locked out by an overloaded pool.
 * The target is a stub over plain HTTP: one account always gets in, the other is always shed.
 */
class ShedLoginsIT {
  @TempDir
  Path tmp;

  private HttpServer stub;

  @BeforeEach
  void startStub() throws IOException {
    stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stub.setExecutor(Executors.newFixedThreadPool(2));
    stub.createContext("/auth/token", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      if (body.contains("shed@")) {
        ex.getResponseHeaders().add("Retry-After", "0");
        answer(ex, 503, "{\"error\":\"busy\"}");
      } else {
        answer(ex, 200, "{\"access_token\":\"a\",\"refresh_token\":\"r\",\"expires_in\":3600}");
      }
    });
    stub.createContext("/api/timesheets", ex -> {
      try {
        // Keeps the signed-in user's loop from spinning the CPU: this is the target's speed, not a wait.
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      answer(ex, 200, "[]");
    });
    stub.start();
  }

  @AfterEach
  void stopStub() {
    stub.stop(0);
  }

  @Test
  void proxyThroughputFailsWhenALoginIsShedEveryTime() throws IOException {
    Path credentials = Files.writeString(tmp.resolve("accounts.csv"),
        "username,password\nin@example.test,pw-1\nshed@example.test,pw-2\n");
    // Ten tries, each after Retry-After 0 plus under a second of jitter: the shed user gives up
    // within 10 s, well inside the run.
    int status = GatlingRunner.run(ProxyThroughput.class, Map.of(
        "baseUrl", "http://127.0.0.1:" + stub.getAddress().getPort(),
        "credentials", credentials.toString(),
        "concurrency", "2",
        "duration", "12s",
        "maxFailedPct", "0",
        "p99Ms", "60000"), tmp.resolve("gatling"));
    assertThat(status).isEqualTo(GatlingRunner.ASSERTIONS_FAILED);
  }

  private static void answer(HttpExchange ex, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
