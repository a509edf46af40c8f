package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.GatewayClient.Reply;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.session.SessionCookies;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing in and out while PostgreSQL is down: not the user's fault, so never a 500; the login routes
 * ask to retry (503 + Retry-After), and signing out still makes the browser forget its session.
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class DatabaseOutageEndToEndTest {
  static final String USER = "frank@e2e.test";
  static final String PASSWORD = "Frank-timesheets-2026";

  @TempDir static Path dir;
  static Vertx vertx;
  static E2eGateway gw;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    gw = E2eGateway.start(dir, db, vertx, 0, Map.of());
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(20_000).hash(PASSWORD), true);
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw);
  }

  @Test
  void loginRoutesAnswer503WithRetryAfterWhileTheDatabaseIsDownAndLogoutStillClearsTheCookies(TestDatabase db)
      throws Exception {
    Assumptions.assumeTrue(db.canRestartServer(), "needs a local PostgreSQL the test may stop");
    String csrf = gw.csrfToken();
    Reply browser = gw.formLogin(csrf, USER, PASSWORD, "/");
    assertThat(browser.status()).isEqualTo(303);
    String refresh = gw.tokenLogin(USER, PASSWORD).json().getString("refresh_token");

    // Everything written to stderr meanwhile, the log included (logback resolves System.err per write).
    PrintStream stderr = System.err;
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    System.setErr(new PrintStream(new Tee(stderr, written), true, StandardCharsets.UTF_8));
    db.stopServer();
    try {
      Reply token = gw.tokenLogin(USER, PASSWORD);
      assertThat(token.status()).as(token.body()).isEqualTo(503);
      assertThat(token.header("Retry-After")).isNotBlank();
      assertThat(token.json().getString("error")).isEqualTo("temporarily_unavailable");

      Reply form = gw.formLogin(csrf, USER, PASSWORD, "/");
      assertThat(form.status()).isEqualTo(503);
      assertThat(form.header("Retry-After")).isNotBlank();
      assertThat(form.header("Content-Type")).startsWith("text/html");
      assertThat(form.body()).contains("<form method=\"post\" action=\"/login\"");

      Reply refreshed = gw.http.postJson("/auth/refresh", new JsonObject().put("refresh_token", refresh));
      assertThat(refreshed.status()).isEqualTo(503);
      assertThat(refreshed.header("Retry-After")).isNotBlank();

      String access = browser.setCookie(SessionCookies.ACCESS).orElseThrow().value();
      Reply logout = gw.http.postForm("/logout", Map.of(), "Cookie", E2eGateway.sessionCookies(browser),
          "Origin", gw.http.origin(), "Accept", "text/html");
      assertThat(logout.status()).isEqualTo(503);
      assertThat(logout.header("Retry-After")).isNotBlank();
      for (String name : List.of(SessionCookies.ACCESS, SessionCookies.REFRESH)) {
        assertThat(logout.setCookie(name)).as("%s cleared", name).hasValueSatisfying(c -> {
          assertThat(c.value()).isEmpty();
          assertThat(c.attribute("Max-Age")).isEqualTo("0");
        });
      }
      // This node stops the session at once, database or not.
      assertThat(gw.http.get("/api/me", "Cookie", SessionCookies.ACCESS + "=" + access).status()).isEqualTo(401);
    } finally {
      try {
        db.startServer();
        // And signing in works again once the database is back, without a restart.
        gw.http.await(() -> gw.http.until(Duration.ofSeconds(20), () -> gw.http.sendAsync(HttpMethod.POST,
            "/auth/token", GatewayClient.headers("Content-Type", "application/json"),
            new JsonObject().put("username", USER).put("password", PASSWORD).encode()).map(r -> r.status() == 200)));
      } finally {
        System.setErr(stderr);
      }
    }
    // An expected outage is told in concise log lines: no stack traces, nothing printed past the log.
    assertThat(written.toString(StandardCharsets.UTF_8).lines()).noneMatch(l -> BARE_EXCEPTION.matcher(l).lookingAt());
  }

  /** A line that starts with an exception's class name: a stack trace's head, or a stray printStackTrace. */
  private static final Pattern BARE_EXCEPTION = Pattern.compile("(?:[a-z][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error|Throwable)\\b");

  /** Writes to two streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] bytes, int off, int len) throws IOException {
      a.write(bytes, off, len);
      b.write(bytes, off, len);
    }

    @Override
    public void flush() throws IOException {
      a.flush();
    }
  }
}
