package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.GatewayClient.Reply;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.session.SessionCookies;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A transparent refresh puts the browser's new session cookies on whatever answer the request gets, the
 * backend's included. The backend cannot know that, and may have marked the answer cacheable by shared caches (a
 * stylesheet, an image, a public page): a CDN or caching proxy in front of the gateway would then keep the
 * session's tokens and hand them to everyone who asks for the same URL.
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class SessionCookiesOnCacheableAnswersEndToEndTest {
  static final String USER = "erin@e2e.test";
  static final String PASSWORD = "Erin-timesheets-2026";

  @TempDir static Path dir;
  static Vertx vertx;
  static Vertx backendVertx;
  static HttpServer backend;
  static E2eGateway gw;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    backendVertx = Vertx.vertx();
    // A backend that lets shared caches keep its stylesheet for ten minutes, as static files usually are.
    backend = Await.await(backendVertx.createHttpServer().requestHandler(req -> req.response()
        .putHeader("Content-Type", "text/css")
        .putHeader("Cache-Control", "public, max-age=600")
        .putHeader("CDN-Cache-Control", "max-age=600")
        .putHeader("Surrogate-Control", "max-age=600")
        .end("body { margin: 0 }")).listen(0, "127.0.0.1"));
    gw = E2eGateway.start(dir, db, vertx, -1, Map.of("GATEWAY_BACKEND__URL", "http://127.0.0.1:" + backend.actualPort()));
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(20_000).hash(PASSWORD), true);
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw);
    if (backendVertx != null) {
      Await.await(backendVertx.close());
    }
  }

  @ParameterizedTest
  @EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"})
  void anAnswerCarryingRefreshedSessionCookiesIsNotStoredByASharedCache(HttpVersion version) {
    Reply login = gw.formLogin(gw.csrfToken(), USER, PASSWORD, "/");
    assertThat(login.status()).as(login.body()).isEqualTo(303);
    String refresh = login.setCookie(SessionCookies.REFRESH).orElseThrow().value();

    try (GatewayClient client = new GatewayClient(vertx, gw.gateway, gw.certFile, version)) {
      Reply css = client.get("/static/app.css", "Cookie", SessionCookies.REFRESH + "=" + refresh);
      assertThat(css.version()).isEqualTo(version);
      assertThat(css.status()).isEqualTo(200);
      assertThat(css.body()).isEqualTo("body { margin: 0 }");
      assertThat(css.setCookie(SessionCookies.ACCESS)).as("refreshed transparently").isPresent();
      assertThat(css.header("Cache-Control")).isEqualTo("no-store");
      assertThat(css.headers().contains("CDN-Cache-Control")).as("RFC 9213: a CDN obeys it over Cache-Control").isFalse();
      assertThat(css.headers().contains("Surrogate-Control")).isFalse();

      // An answer that sets no session cookie keeps the backend's caching as it was.
      String access = css.setCookie(SessionCookies.ACCESS).orElseThrow().value();
      Reply cached = client.get("/static/app.css", "Cookie", SessionCookies.ACCESS + "=" + access);
      assertThat(cached.status()).isEqualTo(200);
      assertThat(cached.setCookies()).isEmpty();
      assertThat(cached.header("Cache-Control")).isEqualTo("public, max-age=600");
    }
  }
}
