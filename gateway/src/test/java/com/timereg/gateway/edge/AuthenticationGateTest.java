package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.session.AuthFailure;
import com.timereg.gateway.session.SessionAuthenticator;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.InetAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gate's own answers, with a real server on an ephemeral port and the session step's verdict put in place:
 * a browser's page load gets a page, an app gets JSON.
 */
@ExtendWith(VertxExtension.class)
class AuthenticationGateTest {
  private HttpServer server;
  private HttpClient client;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext test) {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      // What the session step leaves when a refresh could not reach the database.
      ClientAddressHandler.put(ctx, InetAddress.getLoopbackAddress());
      ctx.put(SessionAuthenticator.FAILURE, AuthFailure.UNAVAILABLE);
      ctx.next();
    });
    router.route().handler(new AuthenticationGate(p -> false, h -> false));
    router.route().handler(ctx -> ctx.response().setStatusCode(200).end("proxied"));
    vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").onComplete(test.succeeding(s -> {
      server = s;
      client = vertx.createHttpClient();
      test.completeNow();
    }));
  }

  @AfterEach
  void stop(VertxTestContext test) {
    client.close().compose(v -> server.close()).onComplete(test.succeedingThenComplete());
  }

  @Test
  void aBrowsersPageLoadWhoseSessionCannotBeCheckedGetsAPageAskingToRetry(VertxTestContext test) {
    get("text/html,application/xhtml+xml,*/*;q=0.8").onComplete(test.succeeding(reply -> test.verify(() -> {
      HttpClientResponse r = reply.response;
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.getHeader("Retry-After")).isEqualTo("5");
      assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
      assertThat(r.getHeader("Content-Type")).isEqualTo("text/html; charset=utf-8");
      assertThat(r.getHeader("Content-Security-Policy")).isEqualTo("default-src 'none'; frame-ancestors 'none'");
      assertThat(r.getHeader("X-Frame-Options")).isEqualTo("DENY");
      assertThat(reply.body.toString()).startsWith("<!doctype html>")
          .contains("Your session could not be checked right now.");
      assertThat(r.getHeader("Content-Length")).isEqualTo(Integer.toString(reply.body.length()));
      test.completeNow();
    })));
  }

  @Test
  void anAppWhoseSessionCannotBeCheckedStillGetsJson(VertxTestContext test) {
    get("application/json").onComplete(test.succeeding(reply -> test.verify(() -> {
      assertThat(reply.response.statusCode()).isEqualTo(503);
      assertThat(reply.response.getHeader("Retry-After")).isEqualTo("5");
      assertThat(reply.response.getHeader("Content-Type")).isEqualTo("application/json");
      assertThat(reply.body.toJsonObject().getString("error")).isEqualTo("temporarily_unavailable");
      test.completeNow();
    })));
  }

  private record Reply(HttpClientResponse response, Buffer body) {}

  private io.vertx.core.Future<Reply> get(String accept) {
    return client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/timesheets")
        .compose(req -> req.putHeader("Accept", accept).send())
        .compose(resp -> resp.body().map(body -> new Reply(resp, body)));
  }
}
