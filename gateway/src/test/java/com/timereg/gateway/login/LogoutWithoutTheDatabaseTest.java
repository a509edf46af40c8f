package com.timereg.gateway.login;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.session.SessionCookies;
import com.timereg.gateway.session.SessionMetrics;
import com.timereg.gateway.session.SessionService;
import com.timereg.gateway.session.SessionSettings;
import com.timereg.gateway.session.TokenKeys;
import com.timereg.gateway.store.ConnectionSettings;
import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.DatabaseSettings;
import com.timereg.gateway.testsupport.ManualClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Signing out when the session could not even be checked: the browser's access cookie has run out (the
 * browser dropped it), so only the refresh cookie names the session, and the database that would tell which
 * session it is cannot be reached. Nothing was ended anywhere, so the answer must not say it was.
 */
@ExtendWith(VertxExtension.class)
class LogoutWithoutTheDatabaseTest {
  /** 32 zero bytes as a refresh token is spelled: well-formed, so the authenticator asks the database. */
  private static final String REFRESH = "A".repeat(43);

  private Database unreachable;
  private SessionService sessions;
  private HttpServer server;
  private HttpClient client;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    unreachable = Database.create(vertx,
        DatabaseSettings.of(new ConnectionSettings("127.0.0.1", closedPort, "gateway", "gateway", "secret")));
    ManualClock clock = ManualClock.startingNow();
    sessions = SessionService.create(vertx, unreachable, SessionSettings.DEFAULTS, TokenKeys.ephemeral("ES256"),
        SessionMetrics.NOOP, clock);
    Router router = Router.router(vertx);
    router.route().handler(sessions.authenticator());
    // Logout needs no login service.
    new LoginRoutes(null, sessions, c -> InetAddress.getLoopbackAddress(), clock).mount(router);
    client = vertx.createHttpClient();
    vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .onComplete(ctx.succeeding(s -> {
          server = s;
          ctx.completeNow();
        }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    client.close().compose(v -> server.close()).compose(v -> unreachable.close()).onComplete(ctx.succeedingThenComplete());
  }

  private Future<HttpClientResponse> logout(String accept) {
    int port = server.actualPort();
    return client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
            .setURI("/logout"))
        .compose(req -> req.putHeader("Cookie", SessionCookies.REFRESH + "=" + REFRESH)
            .putHeader("Origin", "https://127.0.0.1:" + port)
            .putHeader("Accept", accept)
            .send())
        .compose(resp -> resp.body().map(b -> resp));
  }

  @Test
  void aBrowserSigningOutWhileItsSessionCannotBeCheckedIsToldTheSignOutWasNotRecorded(VertxTestContext ctx) {
    logout("text/html").onComplete(ctx.succeeding(resp -> ctx.verify(() -> {
      assertThat(resp.statusCode()).as("not the signed-out redirect: the session lives on in the database")
          .isEqualTo(503);
      assertThat(resp.getHeader("Retry-After")).isNotBlank();
      assertClearsBothCookies(resp.cookies());
      ctx.completeNow();
    })));
  }

  @Test
  void anAppSigningOutWhileItsSessionCannotBeCheckedGets503NotNoContent(VertxTestContext ctx) {
    logout("application/json").onComplete(ctx.succeeding(resp -> ctx.verify(() -> {
      assertThat(resp.statusCode()).isEqualTo(503);
      assertThat(resp.getHeader("Content-Type")).startsWith("application/json");
      assertClearsBothCookies(resp.cookies());
      ctx.completeNow();
    })));
  }

  private static void assertClearsBothCookies(List<String> setCookies) {
    for (String name : List.of(SessionCookies.ACCESS, SessionCookies.REFRESH)) {
      assertThat(setCookies).as("%s cleared", name)
          .anySatisfy(c -> assertThat(c).startsWith(name + "=;").contains("Max-Age=0"));
    }
  }
}
