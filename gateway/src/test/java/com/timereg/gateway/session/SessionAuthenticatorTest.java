package com.timereg.gateway.session;

import com.timereg.gateway.testsupport.ManualClock;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.ConnectionSettings;
import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.DatabaseSettings;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.ServerSocket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The authenticator in a real Vert.x Web router, called by a real HTTP client. */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class SessionAuthenticatorTest {
  private final TokenKeys keys = TokenKeys.ephemeral("ES256");
  private final ManualClock clock = ManualClock.startingNow();
  private Vertx vertx;
  private Database database;
  private SessionService sessions;
  private HttpServer server;
  private HttpClient client;

  /** A response as the test needs it. */
  private record Reply(int status, MultiMap headers, Map<String, String> setCookies, Buffer body) {
    JsonObject json() {
      return body.toJsonObject();
    }

    String failure() {
      return headers.get("X-Auth-Failure");
    }
  }

  @BeforeEach
  void start(Vertx vertx, TestDatabase db, VertxTestContext ctx) {
    this.vertx = vertx;
    database = Database.create(vertx, db.databaseSettings());
    sessions = SessionService.create(vertx, database, SessionSettings.DEFAULTS, keys, SessionMetrics.NOOP, clock);
    client = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(10));
    sessions.start()
        .compose(v -> listen(sessions.authenticator()))
        .onComplete(ctx.succeeding(s -> {
          server = s;
          ctx.completeNow();
        }));
  }

  private Future<HttpServer> listen(SessionAuthenticator authenticator) {
    Router router = Router.router(vertx);
    router.route().handler(authenticator);
    router.route().handler(ctx -> {
      if (SessionAuthenticator.identity(ctx).isEmpty()) {
        ctx.response().setStatusCode(401)
            .putHeader("X-Auth-Failure", SessionAuthenticator.failure(ctx).map(Enum::name).orElse("?")).end();
      } else {
        ctx.next();
      }
    });
    router.post("/echo").handler(BodyHandler.create()).handler(ctx -> ctx.json(whoami(ctx)
        .put("length", ctx.body().length())
        .put("sha256", sha256(ctx.body().buffer()))));
    router.get("/whoami").handler(ctx -> ctx.json(whoami(ctx)));
    return vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1");
  }

  private static JsonObject whoami(RoutingContext ctx) {
    SessionIdentity id = SessionAuthenticator.identity(ctx).orElseThrow();
    return new JsonObject().put("user", id.loginName()).put("sid", id.sessionId())
        .put("bearerIsOurs", SessionAuthenticator.bearerIsOurs(ctx))
        .put("accessExpires", SessionAuthenticator.accessExpires(ctx).map(java.time.Instant::getEpochSecond).orElse(null));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    client.close().compose(v -> server.close()).compose(v -> sessions.stop()).compose(v -> database.close())
        .onComplete(ctx.succeedingThenComplete());
  }

  private Future<IssuedTokens> login() {
    return TestUsers.create(database.pool(), "erin")
        .compose(u -> sessions.issue(u.id(), TestUsers.CUSTOMER, u.loginName(), AuthMethod.PASSWORD));
  }

  private Future<Reply> send(HttpMethod method, String path, Map<String, String> cookies, String authorization, Buffer body) {
    return send(server.actualPort(), method, path, cookies, authorization, body);
  }

  private Future<Reply> send(int port, HttpMethod method, String path, Map<String, String> cookies, String authorization, Buffer body) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(path);
    return client.request(options).compose(req -> {
      if (!cookies.isEmpty()) {
        List<String> pairs = new ArrayList<>();
        cookies.forEach((k, v) -> pairs.add(k + "=" + v));
        req.putHeader("Cookie", String.join("; ", pairs));
      }
      if (authorization != null) {
        req.putHeader("Authorization", authorization);
      }
      return (body == null ? req.send() : req.send(body))
          .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.headers(), setCookies(resp.cookies()), b)));
    });
  }

  private Future<Reply> get(Map<String, String> cookies) {
    return send(HttpMethod.GET, "/whoami", cookies, null, null);
  }

  private static Map<String, String> setCookies(List<String> headers) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String h : headers) {
      out.put(h.substring(0, h.indexOf('=')), h);
    }
    return out;
  }

  private static String cookieValue(String setCookie) {
    return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
  }

  private static Map<String, String> cookies(IssuedTokens t) {
    return Map.of(SessionCookies.ACCESS, t.accessToken(), SessionCookies.REFRESH, t.refreshToken());
  }

  /**
   * A WebSocket handshake outlives its credentials: the proxy learns when they expire, so that the tunnel ends
   * then (docs/proxy.md), whether a cookie, a bearer token or a transparent refresh authenticated it.
   */
  @Test
  void aWebSocketHandshakeLearnsWhenItsAccessTokenExpires(VertxTestContext ctx) {
    login().compose(t -> upgrade(Map.of(SessionCookies.ACCESS, t.accessToken()), null)
        .compose(byCookie -> upgrade(Map.of(), "Bearer " + t.accessToken()).map(byBearer -> {
          ctx.verify(() -> {
            long expires = t.accessExpiresAt().getEpochSecond();
            assertThat(byCookie.status()).isEqualTo(200);
            assertThat(new JsonObject(byCookie.body()).getLong("accessExpires")).isEqualTo(expires);
            assertThat(new JsonObject(byBearer.body()).getLong("accessExpires")).isEqualTo(expires);
          });
          return t;
        }))
        .compose(t2 -> upgrade(Map.of(SessionCookies.REFRESH, t2.refreshToken()), null))
        .map(refreshed -> {
          ctx.verify(() -> {
            String access = cookieValue(refreshed.setCookies().get(SessionCookies.ACCESS));
            long expires = sessions.verify(access).map(id -> clock.instant().plus(SessionSettings.DEFAULTS
                .accessTokenLifetime()).getEpochSecond()).result();
            assertThat(new JsonObject(refreshed.body()).getLong("accessExpires")).isEqualTo(expires);
          });
          return refreshed;
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  private Future<Reply> upgrade(Map<String, String> cookies, String authorization) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
        .setPort(server.actualPort()).setURI("/whoami")
        .putHeader("Connection", "Upgrade").putHeader("Upgrade", "websocket")
        .putHeader("Sec-WebSocket-Version", "13").putHeader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
    return client.request(options).compose(req -> {
      List<String> pairs = new ArrayList<>();
      cookies.forEach((k, v) -> pairs.add(k + "=" + v));
      if (!pairs.isEmpty()) {
        req.putHeader("Cookie", String.join("; ", pairs));
      }
      if (authorization != null) {
        req.putHeader("Authorization", authorization);
      }
      return req.send().compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.headers(),
          setCookies(resp.cookies()), b)));
    });
  }

  @Test
  void sessionCookiesCarryExactlyTheRequiredAttributes() {
    String access = SessionCookies.cookie(SessionCookies.ACCESS, "v", Duration.ofMinutes(5)).encode();

    assertThat(attributes(access)).containsExactlyInAnyOrder("max-age=300", "expires", "path=/", "secure", "httponly", "samesite=lax");
    assertThat(access).startsWith("__Host-gw-access=v;").doesNotContainIgnoringCase("domain");
    assertThat(SessionCookies.REFRESH).isEqualTo("__Host-gw-refresh");
  }

  /** The attributes of a Set-Cookie value, lower case, with the date of Expires left out. */
  private static List<String> attributes(String setCookie) {
    List<String> out = new ArrayList<>();
    String[] parts = setCookie.split(";");
    for (int i = 1; i < parts.length; i++) {
      String a = parts[i].trim().toLowerCase(java.util.Locale.ROOT);
      out.add(a.startsWith("expires=") ? "expires" : a);
    }
    return out;
  }

  @Test
  void validAccessCookieAuthenticatesWithoutTouchingCookies(VertxTestContext ctx) {
    login().compose(t -> get(cookies(t)).map(r -> {
      ctx.verify(() -> {
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().getString("sid")).isEqualTo(t.identity().sessionId());
        assertThat(r.json().getBoolean("bearerIsOurs")).isFalse();
        assertThat(r.setCookies()).isEmpty();
      });
      return r;
    })).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void bearerTokenAuthenticatesAndIsMarkedForStripping(VertxTestContext ctx) {
    login().compose(t -> send(HttpMethod.GET, "/whoami", Map.of(), "Bearer " + t.accessToken(), null).map(r -> {
      ctx.verify(() -> {
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().getString("user")).isEqualTo(t.identity().loginName());
        assertThat(r.json().getBoolean("bearerIsOurs")).isTrue();
      });
      return r;
    })).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void expiredBearerTokenIsNotRefreshedEvenWithARefreshCookie(VertxTestContext ctx) {
    login().compose(t -> {
      clock.advance(Duration.ofMinutes(6));
      return send(HttpMethod.GET, "/whoami", Map.of(SessionCookies.REFRESH, t.refreshToken()), "bearer " + t.accessToken(), null);
    }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.failure()).isEqualTo("INVALID_TOKEN");
      assertThat(r.setCookies()).isEmpty();
      ctx.completeNow();
    })));
  }

  @Test
  void bearerTokenOfTheBackendIsLeftAloneAndTheCookieDecides(VertxTestContext ctx) {
    login().compose(t -> send(HttpMethod.GET, "/whoami", cookies(t), "Bearer backend-api-key.of.someone-else", null))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.json().getBoolean("bearerIsOurs")).isFalse();
          ctx.completeNow();
        })));
  }

  @Test
  void withoutCredentialsTheRequestIsNotAuthenticated(VertxTestContext ctx) {
    get(Map.of()).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.failure()).isEqualTo("NO_CREDENTIALS");
      ctx.completeNow();
    })));
  }

  @Test
  void expiredAccessCookieIsRefreshedTransparentlyAndThePostBodyArrivesWhole(VertxTestContext ctx) {
    byte[] payload = new byte[256 * 1024];
    new Random(7).nextBytes(payload);
    login().compose(t -> {
      clock.advance(Duration.ofMinutes(6));
      return send(HttpMethod.POST, "/echo", cookies(t), null, Buffer.buffer(payload)).compose(r -> {
        ctx.verify(() -> {
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.json().getInteger("length")).isEqualTo(payload.length);
          assertThat(r.json().getString("sha256")).isEqualTo(sha256(Buffer.buffer(payload)));
          assertThat(r.json().getString("sid")).isEqualTo(t.identity().sessionId());
          assertThat(r.setCookies()).containsOnlyKeys(SessionCookies.ACCESS, SessionCookies.REFRESH);
          assertThat(attributes(r.setCookies().get(SessionCookies.ACCESS)))
              .containsExactlyInAnyOrder("max-age=300", "expires", "path=/", "secure", "httponly", "samesite=lax");
          assertThat(attributes(r.setCookies().get(SessionCookies.REFRESH)))
              .containsExactlyInAnyOrder("max-age=1800", "expires", "path=/", "secure", "httponly", "samesite=lax");
          assertThat(cookieValue(r.setCookies().get(SessionCookies.REFRESH))).isNotEqualTo(t.refreshToken());
        });
        Map<String, String> renewed = Map.of(
            SessionCookies.ACCESS, cookieValue(r.setCookies().get(SessionCookies.ACCESS)),
            SessionCookies.REFRESH, cookieValue(r.setCookies().get(SessionCookies.REFRESH)));
        return get(renewed);
      });
    }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.setCookies()).as("the new access cookie needs no refresh").isEmpty();
      ctx.completeNow();
    })));
  }

  @Test
  void accessCookieTheBrowserDroppedIsReplacedFromTheRefreshCookie(VertxTestContext ctx) {
    login().compose(t -> get(Map.of(SessionCookies.REFRESH, t.refreshToken())))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.setCookies()).containsOnlyKeys(SessionCookies.ACCESS, SessionCookies.REFRESH);
          ctx.completeNow();
        })));
  }

  @Test
  void parallelRequestsWithOneRefreshCookieShareOneRefreshAndKeepTheSession(VertxTestContext ctx) {
    login().compose(t -> {
      clock.advance(Duration.ofMinutes(6));
      List<Future<Reply>> page = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        page.add(get(cookies(t)));
      }
      return Future.all(page).map(all -> page.stream().map(Future::result).toList());
    }).compose(replies -> {
      ctx.verify(() -> {
        assertThat(replies).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
        assertThat(replies.stream().map(r -> r.setCookies().get(SessionCookies.REFRESH)).map(SessionAuthenticatorTest::cookieValue)
            .distinct()).as("one exchange, its result handed to all").hasSize(1);
      });
      return sessions.refresh(cookieValue(replies.get(0).setCookies().get(SessionCookies.REFRESH)));
    }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.succeeded()).as("no false reuse alarm ended the session").isTrue();
      ctx.completeNow();
    })));
  }

  @Test
  void refreshCookieReplayedAfterTheGraceEndsTheSessionAndClearsTheCookies(VertxTestContext ctx) {
    login().compose(t -> get(Map.of(SessionCookies.REFRESH, t.refreshToken())).compose(first -> {
      clock.advance(SessionSettings.DEFAULT_REFRESH_GRACE.plusSeconds(1));
      return get(Map.of(SessionCookies.REFRESH, t.refreshToken())).compose(replay -> {
        ctx.verify(() -> {
          assertThat(replay.status()).isEqualTo(401);
          assertThat(replay.failure()).isEqualTo("SESSION_ENDED");
          assertThat(replay.setCookies()).containsOnlyKeys(SessionCookies.ACCESS, SessionCookies.REFRESH);
          assertThat(replay.setCookies().values()).allSatisfy(c -> assertThat(c).contains("Max-Age=0"));
        });
        return get(Map.of(SessionCookies.ACCESS, cookieValue(first.setCookies().get(SessionCookies.ACCESS))));
      });
    })).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.status()).as("the family's access token dies with it").isEqualTo(401);
      assertThat(r.failure()).isEqualTo("SESSION_ENDED");
      ctx.completeNow();
    })));
  }

  @Test
  void revokedSessionIsRefusedAndItsCookiesClearedWithoutARefresh(VertxTestContext ctx) {
    login().compose(t -> sessions.revokeSession(t.identity().sessionId(), RevocationReason.LOGOUT).compose(v -> get(cookies(t))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.status()).isEqualTo(401);
          assertThat(r.failure()).isEqualTo("SESSION_ENDED");
          assertThat(r.setCookies().values()).hasSize(2).allSatisfy(c -> assertThat(c).contains("Max-Age=0"));
          ctx.completeNow();
        })));
  }

  @Test
  void refreshWithoutTheDatabaseLeavesTheCookiesAndSaysUnavailable(TestDatabase db, VertxTestContext ctx) throws Exception {
    ConnectionSettings real = db.settings();
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Database unreachable = Database.create(vertx, DatabaseSettings.of(
        new ConnectionSettings(real.host(), closedPort, real.database(), real.user(), real.password())));
    SessionService cut = SessionService.create(vertx, unreachable, SessionSettings.DEFAULTS, keys, SessionMetrics.NOOP, clock);
    login().compose(t -> listen(cut.authenticator()).compose(other -> {
      clock.advance(Duration.ofMinutes(6));
      return send(other.actualPort(), HttpMethod.POST, "/echo", cookies(t), null, Buffer.buffer("hello"))
          .eventually(() -> other.close());
    })).eventually(() -> unreachable.close())
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.status()).isEqualTo(401);
          assertThat(r.failure()).isEqualTo("UNAVAILABLE");
          assertThat(r.setCookies()).as("a database outage must not log the browser out").isEmpty();
          ctx.completeNow();
        })));
  }

  @Test
  void aFailedRefreshLogsOnlyThePathsFirstSegment(TestDatabase db, VertxTestContext ctx) throws Exception {
    // A path can carry personal data or a token (/reset/<token>, /api/users/<email>); the proxy's WARN names its
    // first segment only, and so must this one.
    ConnectionSettings real = db.settings();
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Database unreachable = Database.create(vertx, DatabaseSettings.of(
        new ConnectionSettings(real.host(), closedPort, real.database(), real.user(), real.password())));
    SessionService cut = SessionService.create(vertx, unreachable, SessionSettings.DEFAULTS, keys, SessionMetrics.NOOP, clock);
    com.timereg.gateway.testsupport.CapturedLogs logs = com.timereg.gateway.testsupport.CapturedLogs.atDebug();
    login().compose(t -> listen(cut.authenticator()).compose(other -> {
      clock.advance(Duration.ofMinutes(6));
      return send(other.actualPort(), HttpMethod.GET, "/reset/s3cr3t-reset-token/erin@example.com", cookies(t), null,
          null).eventually(() -> other.close());
    })).eventually(() -> unreachable.close())
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          List<String> lines = logs.lines();
          logs.close();
          assertThat(r.failure()).isEqualTo("UNAVAILABLE");
          assertThat(lines).anyMatch(l -> l.contains("transparent refresh on GET /reset/..."));
          assertThat(lines).noneMatch(l -> l.contains("s3cr3t-reset-token") || l.contains("erin@example.com"));
          ctx.completeNow();
        })));
  }

  private static String sha256(Buffer b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.getBytes()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
