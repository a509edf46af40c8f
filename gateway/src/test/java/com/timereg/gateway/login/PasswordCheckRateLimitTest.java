package com.timereg.gateway.login;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.session.AuthMethod;
import com.timereg.gateway.session.SessionAuthenticator;
import com.timereg.gateway.session.SessionIdentity;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The live meter's limit exists so that a script cannot crowd the verification pool; a user who signs in
 * again (a new session each time) must not get another 30 checks a minute with every login. The request
 * carries the session of the header {@code X-Test-Session}; an empty JSON object is answered 400 by the
 * service before it needs a database, so 400 means "let through" and 429 "limited".
 */
@ExtendWith(VertxExtension.class)
class PasswordCheckRateLimitTest {
  private final CheckRateLimiterTest.ManualClock clock = new CheckRateLimiterTest.ManualClock();
  private HttpServer server;
  private HttpClient client;
  private io.vertx.core.Context context;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    Router router = Router.router(vertx);
    router.route().handler(rc -> {
      String session = rc.request().getHeader("X-Test-Session");
      long user = Long.parseLong(rc.request().getHeader("X-Test-User"));
      rc.put(SessionAuthenticator.IDENTITY, new SessionIdentity(user, "acme", "user" + user, AuthMethod.PASSWORD, session));
      rc.put(SessionAuthenticator.BEARER_IS_OURS, Boolean.TRUE);
      rc.next();
    });
    PasswordChangeService service = new PasswordChangeService(vertx, null, null, null, null, null, null);
    new PasswordRoutes(service, c -> InetAddress.getLoopbackAddress(),
        new CheckRateLimiter(CheckRateLimiter.DEFAULT_CAPACITY, CheckRateLimiter.DEFAULT_PERIOD, 1_000, clock))
        .mount(router);
    client = vertx.createHttpClient();
    context = vertx.getOrCreateContext();
    vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").onComplete(ctx.succeeding(s -> {
      server = s;
      ctx.completeNow();
    }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    client.close().compose(v -> server.close()).onComplete(ctx.succeedingThenComplete());
  }

  private Future<Integer> check(long user, String session) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(server.actualPort()).setURI("/password/check").putHeader("Content-Type", "application/json")
        .putHeader("X-Test-User", Long.toString(user)).putHeader("X-Test-Session", session);
    // From a Vert.x context, not the JUnit thread (docs/proxy.md: a Vert.x 5 client driven from the test thread
    // now and then never completes).
    io.vertx.core.Promise<Integer> status = io.vertx.core.Promise.promise();
    context.runOnContext(v -> client.request(options).compose(req -> req.send(Buffer.buffer("{}")))
        .compose(resp -> resp.body().map(b -> resp.statusCode())).onComplete(status));
    return status.future();
  }

  /** Sends {@code count} checks one after another, so the answers come in order. */
  private Future<List<Integer>> checks(long user, String session, int count) {
    List<Integer> statuses = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < count; i++) {
      chain = chain.compose(v -> check(user, session).map(s -> {
        statuses.add(s);
        return null;
      }));
    }
    return chain.map(v -> statuses);
  }

  @Test
  void aNewSessionOfTheSameUserDoesNotGetAFreshAllowance(VertxTestContext ctx) {
    checks(7, "first-session", CheckRateLimiter.DEFAULT_CAPACITY)
        .compose(first -> checks(7, "second-session", 1).map(second -> List.of(first, second)))
        .compose(both -> checks(8, "other-user", 1).map(other -> List.of(both.get(0), both.get(1), other)))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertThat(all.get(0)).as("the first session's allowance").containsOnly(400);
          assertThat(all.get(1)).as("the same user, signed in again").containsExactly(429);
          assertThat(all.get(2)).as("another user").containsExactly(400);
          ctx.completeNow();
        })));
  }
}
