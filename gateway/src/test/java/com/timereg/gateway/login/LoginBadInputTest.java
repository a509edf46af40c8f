package com.timereg.gateway.login;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.password.PasswordMetrics;
import com.timereg.gateway.password.PasswordVerifier;
import com.timereg.gateway.password.VerificationPool;
import com.timereg.gateway.session.SessionMetrics;
import com.timereg.gateway.session.SessionService;
import com.timereg.gateway.session.SessionSettings;
import com.timereg.gateway.session.TokenKeys;
import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.throttle.BlockRegistry;
import com.timereg.gateway.throttle.InMemoryThrottleStore;
import com.timereg.gateway.throttle.ThrottleMetrics;
import com.timereg.gateway.throttle.ThrottlePolicy;
import com.timereg.gateway.throttle.ThrottleService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Malformed input to the login routes is the client's fault: a clear 4xx, never a 500 or a 503. */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class LoginBadInputTest {
  private Database database;
  private VerificationPool pool;
  private SessionService sessions;
  private HttpServer server;
  private HttpClient client;

  private record Reply(int status, String body) {}

  @BeforeEach
  void start(Vertx vertx, TestDatabase db, VertxTestContext ctx) {
    database = Database.create(vertx, db.databaseSettings());
    pool = new VerificationPool(vertx, 1, 10, 1);
    sessions = SessionService.create(vertx, database, SessionSettings.DEFAULTS, TokenKeys.ephemeral("ES256"),
        SessionMetrics.NOOP, Clock.systemUTC());
    ThrottleService throttle = new ThrottleService(ThrottlePolicy.DEFAULTS, new ClientKeys(ClientKeyPolicy.DEFAULTS),
        new InMemoryThrottleStore(1_000), new InMemoryThrottleStore(1_000), new BlockRegistry(), Clock.systemUTC(),
        ThrottleMetrics.NOOP, Runnable::run);
    LoginService logins = new LoginService(vertx, new UserDirectory(database.pool()),
        new PasswordVerifier(pool, new DjangoPbkdf2Hasher(1_000), PasswordMetrics.NONE), throttle, sessions,
        LoginMetrics.NONE);
    Router router = Router.router(vertx);
    new LoginRoutes(logins, sessions, c -> InetAddress.getLoopbackAddress(), Clock.systemUTC()).mount(router);
    client = vertx.createHttpClient();
    sessions.start()
        .compose(v -> vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"))
        .onComplete(ctx.succeeding(s -> {
          server = s;
          ctx.completeNow();
        }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    client.close().compose(v -> server.close()).compose(v -> sessions.stop()).compose(v -> pool.close(1_000))
        .compose(v -> database.close()).onComplete(ctx.succeedingThenComplete());
  }

  private Future<Reply> send(HttpMethod method, String uri, String contentType, String cookie, String body) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(server.actualPort())
        .setURI(uri);
    return client.request(options).compose(req -> {
      if (contentType != null) {
        req.putHeader("Content-Type", contentType);
      }
      if (cookie != null) {
        req.putHeader("Cookie", cookie);
      }
      return (body == null ? req.send() : req.send(Buffer.buffer(body)))
          .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b.toString())));
    });
  }

  @Test
  void loginPageLinkWithABrokenPercentEscapeIsAClientError(VertxTestContext ctx) {
    Future.all(send(HttpMethod.GET, "/login?next=%zz", null, null, null),
            send(HttpMethod.GET, "/login?next=%2Fapi%", null, null, null),
            send(HttpMethod.GET, "/login?login=%E0%A4%", null, null, null))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < 3; i++) {
            assertThat(all.<Reply>resultAt(i).status()).as("request %d", i).isBetween(400, 499);
          }
          ctx.completeNow();
        })));
  }

  @Test
  void loginNameWithANulCharacterIsAnInvalidLoginNotAnOutage(VertxTestContext ctx) {
    String json = new JsonObject().put("username", "mallory\u0000@example.com").put("password", "Some-guess-1").encode();
    String unknown = new JsonObject().put("username", "nobody@example.com").put("password", "Some-guess-1").encode();
    String csrf = "c".repeat(43);
    String form = "csrf=" + csrf + "&next=%2F&username=" + URLEncoder.encode("mallory\u0000@example.com", StandardCharsets.UTF_8)
        + "&password=Some-guess-1";
    Future.all(send(HttpMethod.POST, "/auth/token", "application/json", null, json),
            send(HttpMethod.POST, "/auth/token", "application/json", null, unknown),
            send(HttpMethod.POST, "/login", "application/x-www-form-urlencoded", Csrf.COOKIE + "=" + csrf, form))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          Reply nul = all.resultAt(0);
          Reply nobody = all.resultAt(1);
          assertThat(nul.status()).as(nul.body()).isEqualTo(401);
          assertThat(nul.body()).isEqualTo(nobody.body());
          Reply page = all.resultAt(2);
          assertThat(page.status()).isEqualTo(401);
          assertThat(page.body()).contains(LoginRoutes.INVALID_MESSAGE);
          ctx.completeNow();
        })));
  }

  /** An app (or a browser) that sends more than a login needs gets a JSON 413 like every other refusal here. */
  @Test
  void oversizedOrUndecodableBodiesAreAnsweredAsTheRoutesOtherRefusals(VertxTestContext ctx) {
    String huge = new JsonObject().put("username", "a".repeat((int) LoginRoutes.BODY_LIMIT)).put("password", "x").encode();
    String csrf = "c".repeat(43);
    Future.all(send(HttpMethod.POST, "/auth/token", "application/json", null, huge),
            send(HttpMethod.POST, "/auth/refresh", "application/json", null, huge),
            send(HttpMethod.POST, "/login", "application/x-www-form-urlencoded", Csrf.COOKIE + "=" + csrf,
                "csrf=" + csrf + "&username=" + "a".repeat((int) LoginRoutes.BODY_LIMIT)),
            send(HttpMethod.POST, "/login", "application/x-www-form-urlencoded", Csrf.COOKIE + "=" + csrf,
                "csrf=" + csrf + "&next=%zz&username=%&password=x"))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < 2; i++) {
            Reply r = all.resultAt(i);
            assertThat(r.status()).as("request %d", i).isEqualTo(413);
            assertThat(r.body()).as("request %d", i).startsWith("{");
            assertThat(new JsonObject(r.body()).getString("error")).as(r.body()).isEqualTo("request_too_large");
          }
          Reply bigForm = all.resultAt(2);
          assertThat(bigForm.status()).isEqualTo(413);
          assertThat(bigForm.body()).contains("<form method=\"post\" action=\"/login\"");
          Reply brokenForm = all.resultAt(3);
          assertThat(brokenForm.status()).isEqualTo(400);
          assertThat(brokenForm.body()).contains("<form method=\"post\" action=\"/login\"");
          ctx.completeNow();
        })));
  }
}
