package com.timereg.gateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.gatling.javaapi.core.Simulation;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every simulation against a gateway that answers 500 to everything must fail its run: an assertion that
 * cannot fail measures nothing. ({@link CredentialStuffingStubIT} covers CredentialStuffing.)
 */
class BrokenGatewayIT {
  @TempDir
  Path tmp;

  private HttpServer stub;

  @BeforeEach
  void startStub() throws IOException {
    stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stub.setExecutor(Executors.newFixedThreadPool(2));
    stub.createContext("/", ex -> {
      ex.getRequestBody().readAllBytes();
      byte[] bytes = "{\"error\":\"internal\"}".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(500, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    });
    stub.start();
  }

  @AfterEach
  void stopStub() {
    stub.stop(0);
  }

  @Test
  void legitimateTrafficFails() {
    assertFails(LegitimateTraffic.class, Map.of("usersPerSec", "2", "rampUp", "0s", "duration", "2s"));
  }

  @Test
  void proxyThroughputFails() {
    assertFails(ProxyThroughput.class, Map.of("concurrency", "2", "duration", "2s"));
  }

  @Test
  void passwordChangeFails() {
    assertFails(PasswordChange.class, Map.of("duration", "1s", "users", "1"));
  }

  private void assertFails(Class<? extends Simulation> simulation, Map<String, String> params) {
    Map<String, String> all = new HashMap<>(params);
    all.put("baseUrl", "http://127.0.0.1:" + stub.getAddress().getPort());
    all.putAll(GatlingRunner.relaxedLatencyLimits(simulation));
    assertThat(GatlingRunner.run(simulation, all, tmp.resolve("gatling"))).isEqualTo(GatlingRunner.ASSERTIONS_FAILED);
  }
}
