package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.GatewayClient.Reply;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.session.SessionCookies;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reverse proxy behind the whole gateway: what the demo backend receives, WebSockets, and what the
 * client gets when the backend is down or too slow. Three gateways share this class's database:
 * one in front of a normal backend, one in front of a slow one, one in front of nothing.
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class AuthenticatedProxyEndToEndTest {
  static final String USER = "dave@e2e.test";
  static final String PASSWORD = "Dave-timesheets-2026";
  /** Far beyond the slow gateway's response timeout, so a 504 can only be the gateway's own. */
  static final long SLOW_BACKEND_MS = 3_000;

  @TempDir static Path dir;
  static Vertx vertx;
  static E2eGateway gw;
  static E2eGateway slow;
  static E2eGateway dead;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    // /api/headers is public here, so a request without any session reaches the backend too.
    gw = E2eGateway.start(dir.resolve("normal"), db, vertx, 0, Map.of("GATEWAY_BACKEND__PUBLIC_PATHS", "/api/headers"));
    slow = E2eGateway.start(dir.resolve("slow"), db, vertx, SLOW_BACKEND_MS, Map.of("GATEWAY_BACKEND__RESPONSE_TIMEOUT", "300ms"));
    dead = E2eGateway.start(dir.resolve("dead"), db, vertx, -1, Map.of("GATEWAY_BACKEND__CONNECT_TIMEOUT", "5s"));
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(20_000).hash(PASSWORD), true);
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw, slow, dead);
  }

  /** Headers a client might send to pass itself off as someone else or as coming from elsewhere. */
  static final String[] SPOOFED = {
      "X-Authenticated-User", "mallory@evil.example",
      "x-authenticated-user", "root",
      "X-Authenticated-Customer", "other-customer",
      "X-Authenticated-Method", "sso",
      "X-Forwarded-For", "203.0.113.9",
      "X-Forwarded-Host", "evil.example",
      "X-Forwarded-Proto", "http",
      "Forwarded", "for=203.0.113.9;proto=http",
      "X-Real-IP", "203.0.113.9",
      "Client-IP", "203.0.113.9",
      "X-Forwarded", "for=203.0.113.9",
      "Forwarded-For", "203.0.113.9",
      "Via", "203.0.113.9"};

  private static String[] with(String[] base, String... more) {
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @Test
  void aPublicPathIsExemptOnlyWhenTheBackendCannotReadItAsAnotherPath() throws Exception {
    String plain = RawTls.exchange("127.0.73.1", gw.gateway.publicPort(),
        "GET /api/headers HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\nConnection: close\r\n\r\n");
    assertThat(RawTls.statuses(plain)).containsExactly(200);
    for (String path : List.of("/api/headers/..;/me", "/api/headers;x=1/../me", "/api/headers/..%2Fme",
        "/api/headers/..%2fme", "/api/headers/..%5Cme", "/api/headers/%2e%2e/me", "/api/headers/.%2E/me",
        "/api/headers/../me", "/api/headers/./x", "/api/headers//x", "/api/headers\\..\\me")) {
      String answer = RawTls.exchange("127.0.73.1", gw.gateway.publicPort(),
          "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\nConnection: close\r\n\r\n");
      assertThat(RawTls.statuses(answer)).as(path).containsAnyOf(400, 401).hasSize(1);
    }
  }

  @Test
  void spoofedIdentityHeadersOfALoggedInClientAreReplacedByTheGatewaysOwn() {
    String access = gw.accessToken(USER, PASSWORD);
    Reply r = gw.http.get("/api/headers", with(SPOOFED, "Authorization", "Bearer " + access));
    assertThat(r.status()).isEqualTo(200);
    JsonObject seen = r.json();
    assertThat(seen.getJsonArray("x-authenticated-user")).containsExactly(USER);
    assertThat(seen.getJsonArray("x-authenticated-customer")).containsExactly(E2eUsers.CUSTOMER);
    assertThat(seen.getJsonArray("x-authenticated-method")).containsExactly("password");
    assertForwardedByTheGateway(seen);
    assertThat(seen.containsKey("authorization")).as("the gateway's own token stays at the gateway").isFalse();
  }

  @Test
  void spoofedIdentityHeadersOfAClientWithoutSessionNeverReachTheBackend() {
    Reply r = gw.http.get("/api/headers", SPOOFED);
    assertThat(r.status()).isEqualTo(200);
    JsonObject seen = r.json();
    assertThat(seen.fieldNames()).noneMatch(n -> n.startsWith("x-authenticated-"));
    assertForwardedByTheGateway(seen);
  }

  @Test
  void backendSeesTheSessionCookiesUserButNotTheSessionCookies() {
    Reply login = gw.formLogin(gw.csrfToken(), USER, PASSWORD, "/");
    Reply r = gw.http.get("/api/headers", with(SPOOFED, "Cookie", E2eGateway.sessionCookies(login) + "; theme=dark"));
    JsonObject seen = r.json();
    assertThat(seen.getJsonArray("x-authenticated-user")).containsExactly(USER);
    // The demo backend shows cookie names only.
    assertThat(seen.getJsonArray("cookie")).containsExactly("theme=…");
    assertForwardedByTheGateway(seen);

    Reply me = gw.http.get("/api/me", "Cookie", E2eGateway.sessionCookies(login), "X-Authenticated-User", "root");
    assertThat(me.json().getString("user")).isEqualTo(USER);
    assertThat(me.json().getString("customer")).isEqualTo(E2eUsers.CUSTOMER);
    assertThat(me.json().getString("method")).isEqualTo("password");
  }

  private static void assertForwardedByTheGateway(JsonObject seen) {
    JsonArray forwardedFor = seen.getJsonArray("x-forwarded-for");
    assertThat(forwardedFor).hasSize(1);
    assertThat(isLoopback(forwardedFor.getString(0))).as("X-Forwarded-For %s", forwardedFor).isTrue();
    assertThat(seen.getJsonArray("x-forwarded-proto")).containsExactly("https");
    assertThat(seen.getJsonArray("x-forwarded-host")).containsExactly("localhost:" + gw.http.port());
    assertThat(seen.containsKey("forwarded")).isFalse();
    assertThat(seen.containsKey("x-real-ip")).isFalse();
    // What django-ipware reads after X-Forwarded-For, preferring a routable address to the gateway's private one.
    assertThat(seen.fieldNames()).doesNotContain("client-ip", "x-forwarded", "forwarded-for", "via");
  }

  private static boolean isLoopback(String address) {
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  @Test
  void webSocketEchoWorksThroughTheGatewayWithASessionCookie() throws Exception {
    Reply login = gw.formLogin(gw.csrfToken(), USER, PASSWORD, "/");
    WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(gw.certFile.toString())));
    try {
      String echoed = gw.http.await(() -> ws.connect(echoOptions().addHeader("Cookie", E2eGateway.sessionCookies(login)))
          .compose(socket -> {
            Promise<String> reply = Promise.promise();
            socket.textMessageHandler(reply::tryComplete);
            socket.exceptionHandler(reply::tryFail);
            return socket.writeTextMessage("hello through the gateway").compose(v -> reply.future())
                .eventually(socket::close);
          }));
      assertThat(echoed).isEqualTo("hello through the gateway");

      Throwable refused = gw.http.await(() -> ws.connect(echoOptions())
          .map(socket -> (Throwable) new AssertionError("upgraded without a session"))
          .recover(Future::succeededFuture));
      assertThat(refused).isInstanceOf(UpgradeRejectedException.class);
      assertThat(((UpgradeRejectedException) refused).getStatus()).isEqualTo(401);
    } finally {
      Await.await(ws.close());
    }
  }

  @Test
  void webSocketOpenedWithOnlyARefreshCookieGetsTheRotatedCookiesInItsHandshake() throws Exception {
    Reply login = gw.formLogin(gw.csrfToken(), USER, PASSWORD, "/");
    String refresh = login.setCookie(SessionCookies.REFRESH).orElseThrow().value();
    WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(gw.certFile.toString())));
    try {
      // The browser's access cookie expired while the page was open; its first request is the socket.
      List<String> setCookies = gw.http.await(() -> ws.connect(echoOptions().addHeader("Cookie",
              SessionCookies.REFRESH + "=" + refresh))
          .compose(socket -> {
            List<String> headers = socket.headers().getAll("Set-Cookie");
            return socket.close().map(headers);
          }));
      List<GatewayClient.SetCookie> cookies = setCookies.stream().map(GatewayClient.SetCookie::parse).toList();
      assertThat(cookies).extracting(GatewayClient.SetCookie::name)
          .contains(SessionCookies.ACCESS, SessionCookies.REFRESH);
      String rotated = cookies.stream().filter(c -> c.name().equals(SessionCookies.REFRESH)).findFirst().orElseThrow().value();
      assertThat(rotated).isNotEqualTo(refresh);
      // Without them the browser would present the spent token again and, after the grace, be taken for a thief.
      assertThat(gw.http.get("/api/me", "Cookie", SessionCookies.REFRESH + "=" + rotated).status()).isEqualTo(200);
    } finally {
      Await.await(ws.close());
    }
  }

  /**
   * A WebSocket may stay open for hours, long after its handshake was authenticated: when its session is
   * revoked (logout, a password change ending the other sessions, staff), the tunnel is closed within seconds,
   * as the session's next request would be refused.
   */
  @Test
  void anOpenWebSocketIsClosedWhenItsSessionIsRevoked() throws Exception {
    String access = gw.accessToken(USER, PASSWORD);
    String other = gw.accessToken(USER, PASSWORD);
    WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(gw.certFile.toString())));
    try {
      Promise<Void> revokedOneClosed = Promise.promise();
      Promise<Void> otherClosed = Promise.promise();
      io.vertx.core.http.WebSocket otherSocket = gw.http.await(() -> ws.connect(echoOptions()
          .addHeader("Authorization", "Bearer " + other)).onSuccess(socket -> socket.closeHandler(v -> otherClosed.tryComplete())));
      String echoed = gw.http.await(() -> ws.connect(echoOptions().addHeader("Authorization", "Bearer " + access))
          .compose(socket -> {
            socket.closeHandler(v -> revokedOneClosed.tryComplete());
            Promise<String> reply = Promise.promise();
            socket.textMessageHandler(reply::tryComplete);
            return socket.writeTextMessage("before the logout").compose(v -> reply.future());
          }));
      assertThat(echoed).isEqualTo("before the logout");

      assertThat(gw.http.postJson("/logout", new JsonObject(), "Authorization", "Bearer " + access).status())
          .isEqualTo(204);

      Await.await(revokedOneClosed.future());
      assertThat(otherClosed.future().isComplete()).as("the same user's other session keeps its socket").isFalse();
      String stillEchoed = gw.http.await(() -> {
        Promise<String> reply = Promise.promise();
        otherSocket.textMessageHandler(reply::tryComplete);
        return otherSocket.writeTextMessage("still here").compose(v -> reply.future());
      });
      assertThat(stillEchoed).isEqualTo("still here");
    } finally {
      Await.await(ws.close());
    }
  }

  /**
   * Cross-site WebSocket hijacking: a page of another origin may open a WebSocket to the gateway, and the browser
   * sends the session cookie with the handshake (same-site pages, and browsers that ignore SameSite, do so);
   * no CORS applies to WebSockets, so the page would read and write the user's socket. The gateway refuses a
   * handshake whose Origin is not the host it was sent to (or one of {@code public.allowed-hosts}); a client
   * that sends no Origin (not a browser) and a page of the gateway's own host go through.
   */
  @Test
  void aWebSocketHandshakeFromAnotherOriginIsRefusedEvenWithTheSessionCookie() throws Exception {
    String access = gw.accessToken(USER, PASSWORD);
    WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(gw.certFile.toString())));
    try {
      // An origin is scheme, host and port: a page in plain HTTP or of another service on the same host is not ours.
      for (String origin : List.of("https://evil.example", "null", "https://localhost.evil.example",
          "http://localhost:" + gw.http.port(), "https://localhost", "https://localhost:" + (gw.http.port() + 1))) {
        Throwable refused = gw.http.await(() -> ws.connect(echoOptions()
                .addHeader("Cookie", SessionCookies.ACCESS + "=" + access).addHeader("Origin", origin))
            .map(socket -> (Throwable) new AssertionError("upgraded from " + origin))
            .recover(Future::succeededFuture));
        assertThat(refused).as(origin).isInstanceOf(UpgradeRejectedException.class);
        assertThat(((UpgradeRejectedException) refused).getStatus()).as(origin).isEqualTo(403);
      }
      for (String origin : List.of("https://localhost:" + gw.http.port(), "")) {
        WebSocketConnectOptions options = echoOptions().addHeader("Cookie", SessionCookies.ACCESS + "=" + access);
        if (!origin.isEmpty()) {
          options.addHeader("Origin", origin);
        }
        String echoed = gw.http.await(() -> ws.connect(options).compose(socket -> {
          Promise<String> reply = Promise.promise();
          socket.textMessageHandler(reply::tryComplete);
          return socket.writeTextMessage("same origin").compose(v -> reply.future()).eventually(socket::close);
        }));
        assertThat(echoed).as(origin).isEqualTo("same origin");
      }
    } finally {
      Await.await(ws.close());
    }
  }

  private static WebSocketConnectOptions echoOptions() {
    return new WebSocketConnectOptions().setHost("localhost").setPort(gw.http.port()).setSsl(true).setURI("/ws/echo");
  }

  @Test
  void backendDownGives502BeforeTheConnectTimeout() {
    String access = dead.accessToken(USER, PASSWORD);
    Reply r = dead.http.get("/api/me", "Authorization", "Bearer " + access, "Accept", "application/json");
    assertThat(r.status()).isEqualTo(502);
    assertThat(r.json().getString("error")).isEqualTo("bad_gateway");
    // A refused connection is known at once; waiting out the 5 s connect timeout would be a bug.
    assertThat(r.nanos() / 1_000_000).isLessThan(5_000);
  }

  @Test
  void slowBackendGives504AtTheConfiguredResponseTimeout() {
    String access = slow.accessToken(USER, PASSWORD);
    Reply r = slow.http.get("/api/me", "Authorization", "Bearer " + access, "Accept", "application/json");
    assertThat(r.status()).isEqualTo(504);
    assertThat(r.json().getString("error")).isEqualTo("gateway_timeout");
    long millis = r.nanos() / 1_000_000;
    assertThat(millis).as("not before the 300 ms timeout").isGreaterThanOrEqualTo(300);
    assertThat(millis).as("the gateway's timeout, not the backend's late answer").isLessThan(SLOW_BACKEND_MS);
    // The gateway's own routes do not wait for the backend.
    assertThat(slow.http.get("/login", "Accept", "text/html").status()).isEqualTo(200);
  }
}
