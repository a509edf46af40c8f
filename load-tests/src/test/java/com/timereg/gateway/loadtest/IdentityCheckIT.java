package com.timereg.gateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.listFeeder;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gatling.javaapi.core.Simulation;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The identity check of {@link Journeys#browse}: the backend must see the user who logged in. The gateway
 * finds a login name whatever its case ({@code lower(login_name) = lower($1)}) and forwards the name as
 * stored, so a credentials file that writes it in another case is the same user, not a failed check; another
 * user is. The target is a stub over plain HTTP whose identity page names the stored account.
 */
class IdentityCheckIT {
  @TempDir
  Path tmp;

  private HttpServer stub;

  @AfterEach
  void stopStub() {
    if (stub != null) {
      stub.stop(0);
    }
  }

  @Test
  void theStoredNameInAnotherCaseIsTheUserWhoLoggedIn() throws IOException {
    startStub("alice@demo.test");
    assertThat(runProbe()).isEqualTo(GatlingRunner.SUCCESS);
  }

  @Test
  void anotherUserFailsTheCheck() throws IOException {
    startStub("bob@demo.test");
    assertThat(runProbe()).isEqualTo(GatlingRunner.ASSERTIONS_FAILED);
  }

  private int runProbe() {
    return GatlingRunner.run(AppBrowseOnly.class,
        Map.of("baseUrl", "http://127.0.0.1:" + stub.getAddress().getPort()), tmp.resolve("gatling"));
  }

  private void startStub(String storedName) throws IOException {
    stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stub.setExecutor(Executors.newFixedThreadPool(2));
    stub.createContext("/auth/token", ex -> answer(ex, "{\"access_token\":\"a\",\"refresh_token\":\"r\",\"expires_in\":3600}"));
    stub.createContext("/api/me", ex -> answer(ex, "{\"user\":\"" + storedName + "\"}"));
    stub.createContext("/api/timesheets", ex -> answer(ex, "[]"));
    stub.start();
  }

  private static void answer(HttpExchange ex, String json) throws IOException {
    ex.getRequestBody().readAllBytes();
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** An app login with the login name in capitals, the identity check and one page; no failed request allowed. */
  public static class AppBrowseOnly extends Simulation {
    {
      setUp(scenario("app browse only")
          .exec(feed(listFeeder(List.of(Map.<String, Object>of("username", "Alice@Demo.Test", "password", "pw")))))
          .exec(Journeys.tokenLogin("app login"))
          .exec(Journeys.browse(Pages.fromSystemProperties(), true, 1, Duration.ZERO))
          .injectOpen(atOnceUsers(1)))
          .protocols(Target.fromSystemProperties().protocol(ClientPool.of(List.of())))
          .assertions(global().failedRequests().count().is(0L));
    }
  }
}
