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
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The browser login ({@link Journeys#formLogin}) must fail when the session it got does not take: the gateway
 * then answers the page after the login with 302 to {@code /login}, and a client that follows the redirect gets
 * the login page with 200, which is not a signed-in user. The target is a stub over plain HTTP that serves the
 * form and accepts the post; its home page either honours the session cookie or sends everyone to the login.
 */
class FormLoginIT {
  private static final String COOKIE = "stub-session=signed-in";

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
  void aLoginWhoseSessionIsNotHonouredFails() throws IOException {
    startStub(false);
    assertThat(runProbe()).isEqualTo(GatlingRunner.ASSERTIONS_FAILED);
  }

  @Test
  void aLoginWhoseSessionIsHonouredPasses() throws IOException {
    startStub(true);
    assertThat(runProbe()).isEqualTo(GatlingRunner.SUCCESS);
  }

  private int runProbe() {
    return GatlingRunner.run(BrowserLoginOnly.class,
        Map.of("baseUrl", "http://127.0.0.1:" + stub.getAddress().getPort()), tmp.resolve("gatling"));
  }

  private void startStub(boolean honoursSession) throws IOException {
    stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stub.setExecutor(Executors.newFixedThreadPool(2));
    stub.createContext("/", ex -> {
      String path = ex.getRequestURI().getPath();
      String cookies = String.valueOf(ex.getRequestHeaders().getFirst("Cookie"));
      if (path.equals("/login") && ex.getRequestMethod().equals("GET")) {
        answer(ex, 200, "<html><form method=post action=/login><input type=hidden name='csrf' value='t0k3n'>"
            + "<input name=username><input name=password type=password></form></html>");
      } else if (path.equals("/login")) {
        ex.getResponseHeaders().add("Set-Cookie", COOKIE + "; Path=/; HttpOnly");
        ex.getResponseHeaders().add("Location", "/");
        answer(ex, 303, "");
      } else if (path.equals("/") && honoursSession && cookies.contains(COOKIE)) {
        answer(ex, 200, "<html>home</html>");
      } else {
        ex.getResponseHeaders().add("Location", "/login?next=%2F");
        answer(ex, 302, "");
      }
    });
    stub.start();
  }

  private static void answer(HttpExchange ex, int status, String html) throws IOException {
    byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
    ex.close();
  }

  /** One browser login of the first demo user, and no failed request allowed. */
  public static class BrowserLoginOnly extends Simulation {
    {
      setUp(scenario("browser login only")
          .exec(feed(listFeeder(List.of(Credentials.DEMO_USERS.get(0)))))
          .exec(Journeys.formLogin("browser login"))
          .injectOpen(atOnceUsers(1)))
          .protocols(Target.fromSystemProperties().protocol(ClientPool.of(List.of())))
          .assertions(global().failedRequests().count().is(0L));
    }
  }
}
