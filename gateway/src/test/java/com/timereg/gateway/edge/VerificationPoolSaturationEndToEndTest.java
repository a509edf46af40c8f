package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.GatewayClient.Reply;
import com.timereg.gateway.login.Csrf;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A login wave against a deliberately tiny verification pool (one thread, one waiting place) and an
 * expensive PBKDF2 count: the excess is shed at once with 503 and Retry-After, and users who are
 * already signed in keep reaching the backend, since their requests need no PBKDF2 at all.
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class VerificationPoolSaturationEndToEndTest {
  /** About 0.2 s of CPU per verification here: long enough to keep the one thread busy. */
  static final int ITERATIONS = 2_000_000;
  static final String USER = "erin@e2e.test";
  static final String PASSWORD = "Erin-timesheets-2026";
  static final int WAVE = 6;

  @TempDir static Path dir;
  static Vertx vertx;
  static E2eGateway gw;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    gw = E2eGateway.start(dir, db, vertx, 0, Map.of(
        "GATEWAY_PASSWORD__ITERATIONS", Integer.toString(ITERATIONS),
        "GATEWAY_PASSWORD__POOL_THREADS", "1",
        "GATEWAY_PASSWORD__POOL_QUEUE", "1"));
    // Stored at the configured count, so the login below starts no rehash that would hold the pool.
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(ITERATIONS).hash(PASSWORD), true);
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw);
  }

  record Timed(Reply reply, long completedAt) {}

  @Test
  void fullVerificationPoolSheds503WithRetryAfterWhileSignedInUsersKeepFlowing() {
    String access = gw.accessToken(USER, PASSWORD); // before the wave: a session costs no PBKDF2 later
    String csrf = gw.csrfToken();

    List<Timed> logins = new ArrayList<>();
    Timed[] proxiedAndForm = gw.http.await(() -> {
      Promise<Void> firstShed = Promise.promise();
      List<Future<Timed>> wave = new ArrayList<>();
      for (int i = 0; i < WAVE; i++) {
        JsonObject body = new JsonObject().put("username", "wave-" + i + "@e2e.test").put("password", "Guess-" + i);
        Future<Timed> login = timed(gw.http.sendAsync(HttpMethod.POST, "/auth/token",
            GatewayClient.headers("Content-Type", "application/json"), body.encode()));
        login.onSuccess(t -> {
          if (t.reply().status() == 503) {
            firstShed.tryComplete();
          }
        });
        wave.add(login);
      }
      Future<Timed> get = timed(gw.http.sendAsync(HttpMethod.GET, "/api/me",
          GatewayClient.headers("Authorization", "Bearer " + access), null));
      // Sent while the pool is known to be full: a browser's form login is shed the same way.
      Future<Timed> form = firstShed.future().compose(v -> timed(gw.http.sendAsync(HttpMethod.POST, "/login",
          GatewayClient.headers("Content-Type", "application/x-www-form-urlencoded", "Accept", "text/html",
              "Origin", gw.http.origin(), "Cookie", Csrf.COOKIE + "=" + csrf),
          GatewayClient.form(Map.of(Csrf.FIELD, csrf, "username", USER, "password", PASSWORD, "next", "/")))));
      return Future.all(wave).compose(all -> {
        for (Future<Timed> f : wave) {
          logins.add(f.result());
        }
        return Future.all(get, form).map(both -> new Timed[] {get.result(), form.result()});
      });
    });

    List<Timed> shed = logins.stream().filter(t -> t.reply().status() == 503).toList();
    List<Timed> verified = logins.stream().filter(t -> t.reply().status() == 401).toList();
    assertThat(shed.size() + verified.size()).as("every login was either verified or shed").isEqualTo(WAVE);
    assertThat(shed).as("one thread and one waiting place cannot take %d logins", WAVE).isNotEmpty();
    for (Timed t : shed) {
      assertThat(t.reply().header("Retry-After")).isEqualTo("1");
      assertThat(t.reply().json().getString("error")).isEqualTo("temporarily_unavailable");
    }
    assertThat(verified).as("the pool still verified what it accepted").isNotEmpty();

    Timed proxied = proxiedAndForm[0];
    assertThat(proxied.reply().status()).isEqualTo(200);
    assertThat(proxied.reply().json().getString("user")).isEqualTo(USER);
    long lastVerified = verified.stream().mapToLong(Timed::completedAt).max().orElseThrow();
    assertThat(proxied.completedAt()).as("the proxied request did not wait for the verifications")
        .isLessThan(lastVerified);

    Reply form = proxiedAndForm[1].reply();
    assertThat(form.status()).isEqualTo(503);
    assertThat(form.header("Retry-After")).isEqualTo("1");
    assertThat(form.header("Content-Type")).startsWith("text/html");
    assertThat(form.body()).contains("<form method=\"post\" action=\"/login\"");
    assertThat(form.setCookie(com.timereg.gateway.session.SessionCookies.ACCESS)).isEmpty();
  }

  private static Future<Timed> timed(Future<Reply> reply) {
    return reply.map(r -> new Timed(r, System.nanoTime()));
  }
}
