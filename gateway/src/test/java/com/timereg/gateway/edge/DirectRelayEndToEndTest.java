package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.GatewayClient.Reply;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import com.timereg.gateway.testsupport.SourceClient;
import com.timereg.gateway.testsupport.TlsBackends;
import com.timereg.gateway.testsupport.Await;
import io.vertx.core.Vertx;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authenticated HTTP/1.1 requests relayed from the connection's pipeline ({@link ConnectionFastPath} and
 * {@code proxy.DirectProxy}) rather than through the router, seen from real TLS clients in front and the
 * demo backend behind: in order with routed requests on the same connection, bodies both ways, framing,
 * and the same failures as the router's proxy. {@code gateway_proxy_direct_total} shows which path a request
 * took. Seven gateways: a normal backend, a slow one, none at all, an HTTPS backend with a private CA that
 * insists on the gateway's client certificate, the same backend under a name its certificate lacks, a backend
 * that closes pooled connections, and one that never does (with a 1 s keep-alive timeout).
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class DirectRelayEndToEndTest {
  static final String USER = "erin@e2e.test";
  static final String PASSWORD = "Erin-timesheets-2026";

  @TempDir static Path dir;
  static Vertx vertx;
  static E2eGateway gw;
  static E2eGateway slow;
  static E2eGateway dead;
  static E2eGateway tls;
  static E2eGateway tlsWrongName;
  static E2eGateway closing;
  static E2eGateway idle;
  static E2eGateway scripted;
  /** The idle backend's connections: opened, and the moment ({@link System#nanoTime}) each was closed. */
  static final java.util.concurrent.atomic.AtomicInteger IDLE_BACKEND_OPENED = new java.util.concurrent.atomic.AtomicInteger();
  static final java.util.concurrent.LinkedBlockingQueue<Long> IDLE_BACKEND_CLOSED = new java.util.concurrent.LinkedBlockingQueue<>();
  static final java.util.concurrent.atomic.AtomicInteger CLOSING_BACKEND_REQUESTS = new java.util.concurrent.atomic.AtomicInteger();
  /** The head of the last request that backend read, its octets as ISO-8859-1 characters. */
  static final java.util.concurrent.atomic.AtomicReference<String> CLOSING_BACKEND_LAST_HEAD =
      new java.util.concurrent.atomic.AtomicReference<>();
  static String token;
  private static final SelfSignedCertificate BACKEND = SelfSignedCertificate.create("localhost");
  private static final SelfSignedCertificate GATEWAY_CLIENT = SelfSignedCertificate.create("gateway");

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    gw = E2eGateway.start(dir.resolve("normal"), db, vertx, 0, Map.of());
    slow = E2eGateway.start(dir.resolve("slow"), db, vertx, 3_000, Map.of("GATEWAY_BACKEND__RESPONSE_TIMEOUT", "300ms"));
    dead = E2eGateway.start(dir.resolve("dead"), db, vertx, -1, Map.of());
    int httpsPort = TlsBackends.mutualTls(vertx, BACKEND, GATEWAY_CLIENT);
    tls = E2eGateway.start(dir.resolve("tls"), db, vertx, -1, backendTls("localhost", httpsPort));
    // The certificate names localhost, not the address: host name verification must refuse it.
    tlsWrongName = E2eGateway.start(dir.resolve("tls-ip"), db, vertx, -1, backendTls("127.0.0.1", httpsPort));
    closing = E2eGateway.start(dir.resolve("closing"), db, vertx, -1,
        Map.of("GATEWAY_BACKEND__URL", "http://127.0.0.1:" + closesIdleConnectionsBackend()));
    idle = E2eGateway.start(dir.resolve("idle"), db, vertx, -1,
        Map.of("GATEWAY_BACKEND__URL", "http://127.0.0.1:" + keepsConnectionsOpenBackend(),
            "GATEWAY_BACKEND__KEEP_ALIVE_TIMEOUT", "1s"));
    scripted = E2eGateway.start(dir.resolve("scripted"), db, vertx, -1,
        Map.of("GATEWAY_BACKEND__URL", "http://127.0.0.1:" + scriptedBackend()));
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(20_000).hash(PASSWORD), true);
    token = gw.accessToken(USER, PASSWORD);
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw, slow, dead, tls, tlsWrongName, closing, idle, scripted);
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderWhetherRelayedInTheConnectionOrRouted() throws Exception {
    double direct = direct(gw);
    String bearer = "Authorization: Bearer " + token + "\r\n";
    String answers = RawTls.exchange("127.0.71.1", gw.gateway.publicPort(),
        "GET /api/headers HTTP/1.1\r\nHost: localhost\r\n" + bearer + "X-Authenticated-User: root\r\n"
        + "X-Forwarded-For: 203.0.113.9\r\nCookie: __Host-gw-csrf=x; theme=dark\r\n\r\n"
        + "GET /login HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\n\r\n"
        + "POST /api/timesheets HTTP/1.1\r\nHost: localhost\r\n" + bearer
        + "Content-Type: text/plain\r\nContent-Length: 17\r\n\r\nfirst-body-echoed"
        + "HEAD /api/timesheets HTTP/1.1\r\nHost: localhost\r\n" + bearer + "\r\n"
        + "GET /api/me HTTP/1.1\r\nHost: localhost\r\n" + bearer + "Connection: close\r\n\r\n");

    assertThat(RawTls.statuses(answers)).hasSize(5).doesNotContain(500, 502, 504);
    int headers = answers.indexOf("\"x-authenticated-user\":[\"" + USER + "\"]");
    int loginPage = answers.indexOf("<form");
    int echo = answers.indexOf("first-body-echoed");
    int me = answers.lastIndexOf("\"user\":\"" + USER + "\"");
    assertThat(headers).as("identity the gateway vouches for").isPositive();
    assertThat(loginPage).isGreaterThan(headers);
    assertThat(echo).isGreaterThan(loginPage);
    assertThat(me).isGreaterThan(echo);
    String seen = answers.substring(answers.lastIndexOf("HTTP/1.1", headers), answers.indexOf("HTTP/1.1", headers));
    assertThat(seen).doesNotContain("root").doesNotContain("203.0.113.9").doesNotContain("__Host-gw")
        .doesNotContain("authorization").contains("\"x-forwarded-for\":[\"127.0.71.1\"]")
        .contains("\"x-forwarded-proto\":[\"https\"]").contains("\"cookie\":[\"theme=…\"]");
    assertThat(answers).contains("Strict-Transport-Security: max-age=").containsIgnoringCase("connection: close");
    assertThat(direct(gw) - direct).as("relayed in the connection: all but the login page").isEqualTo(4);
  }

  @Test
  void aLargeBodyIsStreamedBothWaysAndALargeResponseArrivesWhole() {
    double direct = direct(gw);
    String body = "0123456789abcdef".repeat(256 * 1024);
    Reply echoed = gw.http.send(HttpMethod.POST, "/api/timesheets",
        GatewayClient.headers("Authorization", "Bearer " + token, "Content-Type", "text/plain"), body);
    assertThat(echoed.status()).isEqualTo(200);
    assertThat(echoed.body()).isEqualTo(body);

    Reply blob = gw.http.get("/api/blob?size=3000000", "Authorization", "Bearer " + token);
    assertThat(blob.status()).isEqualTo(200);
    assertThat(blob.body()).hasSize(3_000_000);
    assertThat(direct(gw) - direct).isEqualTo(2);
  }

  @Test
  void backendDownAnswers502AndASlowBackend504WithTheRoutersBodies() {
    String deadToken = dead.accessToken(USER, PASSWORD);
    double direct = direct(dead);
    Reply down = dead.http.get("/api/me", "Authorization", "Bearer " + deadToken);
    assertThat(down.status()).isEqualTo(502);
    assertThat(down.json().getString("error")).isEqualTo("bad_gateway");
    assertThat(down.headers().get("Cache-Control")).isEqualTo("no-store");
    assertThat(direct(dead) - direct).isEqualTo(1);

    String slowToken = slow.accessToken(USER, PASSWORD);
    Reply late = slow.http.get("/api/me", "Authorization", "Bearer " + slowToken, "Accept", "text/html");
    assertThat(late.status()).isEqualTo(504);
    assertThat(late.body()).contains("<h1>Gateway Timeout</h1>");
    // A page the gateway renders, with the headers of its other pages: nothing loads, nobody frames it.
    assertThat(late.headers().get("Content-Security-Policy")).isEqualTo("default-src 'none'; frame-ancestors 'none'");
    assertThat(late.headers().get("X-Frame-Options")).isEqualTo("DENY");
    assertThat(late.nanos()).as("answered at the response timeout, not the backend's 3 s").isLessThan(2_500_000_000L);
    assertThat(SourceClient.sample(metrics(slow), "gateway_proxy_failures_total{kind=\"response_timeout\",upstream=\"true\"}"))
        .isPositive();
  }

  @Test
  void requestsTheConnectionCannotSettleGoThroughTheRouterAsBefore() {
    double direct = direct(gw);
    Reply noSession = gw.http.get("/api/me", "Accept", "application/json");
    assertThat(noSession.status()).isEqualTo(401);
    Reply badToken = gw.http.get("/api/me", "Authorization", "Bearer not.a-valid.token");
    assertThat(badToken.status()).isEqualTo(401);
    Reply encodedPath = gw.http.get("/api/%6De", "Authorization", "Bearer " + token);
    assertThat(encodedPath.status()).isEqualTo(200);
    assertThat(encodedPath.json().getString("user")).isEqualTo(USER);
    Reply gatewayRoute = gw.http.send(HttpMethod.POST, "/auth/token",
        GatewayClient.headers("Authorization", "Bearer " + token, "Content-Type", "application/json"),
        new JsonObject().put("username", USER).put("password", "wrong").encode());
    assertThat(gatewayRoute.status()).isEqualTo(401);
    assertThat(direct(gw)).as("none of these was relayed in the connection").isEqualTo(direct);
  }

  @Test
  void anHttpsBackendIsReachedWithItsPrivateCaAndTheGatewaysClientCertificateAndRefusedUnderAnotherName() {
    String tlsToken = tls.accessToken(USER, PASSWORD);
    double direct = direct(tls);
    Reply reply = tls.http.get("/anything", "Authorization", "Bearer " + tlsToken);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("http/1.1 " + USER);
    assertThat(direct(tls) - direct).isEqualTo(1);

    String otherToken = tlsWrongName.accessToken(USER, PASSWORD);
    Reply refused = tlsWrongName.http.get("/anything", "Authorization", "Bearer " + otherToken);
    assertThat(refused.status()).isEqualTo(502);
    assertThat(SourceClient.sample(metrics(tlsWrongName), "gateway_proxy_failures_total{kind=\"tls_failed\",upstream=\"true\"}"))
        .isPositive();
  }

  @Test
  void aSafeRequestOnAPooledConnectionTheBackendClosedIsSentOnceMoreOnANewOneAndAPostIsNot() {
    double direct = direct(closing);
    safeRequestIsSentOnceMoreAndAPostIsNot("/first", "/second", "/third");
    assertThat(direct(closing) - direct).as("the GETs were relayed in the connection").isEqualTo(3);
  }

  @Test
  void theRouterAlsoSendsASafeRequestOnceMoreWhenTheBackendClosedItsConnectionAndAPostNot() {
    double direct = direct(closing);
    // Percent-encoded paths are not relayed in the connection: these go through the router and its pool.
    safeRequestIsSentOnceMoreAndAPostIsNot("/%66irst", "/%73econd", "/%74hird");
    assertThat(direct(closing)).as("none of these was relayed in the connection").isEqualTo(direct);
  }

  /**
   * A pooled connection that sat idle for {@code backend.keep-alive-timeout} (1 s here) is closed by the gateway,
   * not before; the next request opens a new one. The backend keeps its connections open as long as the
   * gateway likes.
   */
  @Test
  void aPooledConnectionIdleForTheKeepAliveTimeoutIsClosedAndTheNextRequestOpensANewOne() throws Exception {
    String idleToken = idle.accessToken(USER, PASSWORD);
    double direct = direct(idle);
    int opened = IDLE_BACKEND_OPENED.get();
    IDLE_BACKEND_CLOSED.clear();
    long lastSent = 0;
    for (int i = 0; i < 3; i++) {
      lastSent = System.nanoTime();
      assertThat(idle.http.get("/api/x", "Authorization", "Bearer " + idleToken).status()).isEqualTo(200);
    }
    assertThat(IDLE_BACKEND_OPENED.get() - opened).as("one pooled connection for the three").isEqualTo(1);

    Long closedAt = IDLE_BACKEND_CLOSED.poll(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(closedAt).as("closed by the gateway").isNotNull();
    assertThat(closedAt - lastSent).as("not before the keep-alive timeout").isGreaterThanOrEqualTo(1_000_000_000L);

    assertThat(idle.http.get("/api/x", "Authorization", "Bearer " + idleToken).status()).isEqualTo(200);
    assertThat(IDLE_BACKEND_OPENED.get() - opened).isEqualTo(2);
    assertThat(direct(idle) - direct).isEqualTo(4);
  }

  /**
   * A client that sends non-ASCII octets in the query unencoded (curl does, for a UTF-8 "é"): the backend gets
   * them percent-encoded, the same text on both paths. (Netty's request encoder wrote the target as UTF-8 after
   * its decoder had read it as ISO-8859-1, so C3 A9 reached the backend as C3 83 C2 A9, "Ã©".)
   */
  @Test
  void rawNonAsciiOctetsInTheQueryReachTheBackendPercentEncodedOnBothPaths() throws Exception {
    String closingToken = closing.accessToken(USER, PASSWORD);
    String utf8 = new String("q=café".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        java.nio.charset.StandardCharsets.ISO_8859_1);
    for (String path : new String[] {"/search", "/%73earch"}) {
      double direct = direct(closing);
      RawTls.Answers answers = RawTls.exchangeOctets("127.0.71.3", closing.gateway.publicPort(),
          "GET " + path + "?" + utf8 + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + closingToken
          + "\r\nConnection: close\r\n\r\n");
      assertThat(RawTls.statuses(answers.text())).containsExactly(200);
      assertThat(CLOSING_BACKEND_LAST_HEAD.get()).as(path).startsWith("GET " + path + "?q=caf%C3%A9 HTTP/1.1\r\n");
      assertThat(direct(closing) - direct).as("relayed in the connection: " + path).isEqualTo(path.equals("/search") ? 1 : 0);
    }
  }

  /**
   * The answer a client reads is the same (status line, header fields with their octets, framing and body;
   * only the order of the fields may differ) whether the connection relayed it or the router did, for every
   * framing and header rule: a body of known length; a chunked one with trailers (not passed on: the relay
   * passed them); one read until
   * the backend closes (chunked to the client); HEAD, 204 and 304 without a body; a 103 before the answer;
   * a status with a reason of the backend's own. And on both: hop-by-hop headers, headers the backend's
   * Connection names, Proxy-* and Set-Cookie for the gateway's cookies dropped; the backend's
   * Strict-Transport-Security replaced by the gateway's (the router sent both); an octet above 0x7F in a value
   * passed unchanged.
   */
  @Test
  void theRelayedAnswerIsTheRoutersForEveryFraming() throws Exception {
    String scriptedToken = scripted.accessToken(USER, PASSWORD);
    String[][] cases = {
        {"GET", "length"}, {"GET", "chunked"}, {"GET", "until-close"}, {"HEAD", "head"}, {"GET", "no-content"},
        {"GET", "not-modified"}, {"GET", "early-hints"}, {"GET", "own-reason"}, {"HEAD", "head-chunked"}};
    for (String[] c : cases) {
      String direct = null;
      for (String path : new String[] {"/script/" + c[1], "/%73cript/" + c[1]}) {
        double before = direct(scripted);
        RawTls.Answers answers = RawTls.exchangeOctets("127.0.71.4", scripted.gateway.publicPort(),
            c[0] + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + scriptedToken
            + "\r\nConnection: close\r\n\r\n");
        assertThat(answers.closed()).as(path).isTrue();
        assertThat(direct(scripted) - before).as("relayed in the connection: " + path)
            .isEqualTo(path.startsWith("/script/") ? 1 : 0);
        if (direct == null) {
          direct = answers.text();
        } else {
          assertThat(normalized(direct)).as(c[1] + ": relayed in the connection, then by the router")
              .isEqualTo(normalized(answers.text()));
        }
      }
      String head = direct.substring(0, direct.indexOf("\r\n\r\n") + 2).toLowerCase(java.util.Locale.ROOT);
      assertThat(head.split("strict-transport-security", -1)).as("one Strict-Transport-Security").hasSize(2);
      assertThat(head).as(c[1]).doesNotContain("x-secret").doesNotContain("keep-alive").doesNotContain("proxy-")
          .doesNotContain("__host-gw").doesNotContain("max-age=1\r\n").contains("strict-transport-security: max-age=")
          .contains("connection: close");
      switch (c[1]) {
        case "length" -> assertThat(direct).startsWith("HTTP/1.1 200 OK\r\n").contains("\r\nX-Odd: caf\u00e9\r\n")
            .contains("\r\nSet-Cookie: theme=dark\r\n").contains("\r\ncontent-length: 5\r\n").endsWith("\r\n\r\nhello");
        case "chunked" -> assertThat(direct).startsWith("HTTP/1.1 201 Created\r\n")
            .contains("\r\ntransfer-encoding: chunked\r\n")
            .endsWith("\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
        case "until-close" -> assertThat(direct).contains("\r\ntransfer-encoding: chunked\r\n")
            .endsWith("\r\n\r\n14\r\nstreamed until close\r\n0\r\n\r\n");
        case "head" -> assertThat(direct).contains("\r\ncontent-length: 5\r\n").endsWith("\r\n\r\n");
        case "no-content" -> assertThat(direct).startsWith("HTTP/1.1 204 No Content\r\n").contains("\r\nX-A: 1\r\n")
            .doesNotContain("transfer-encoding").doesNotContain("content-length").endsWith("\r\n\r\n");
        case "not-modified" -> assertThat(direct).startsWith("HTTP/1.1 304 Not Modified\r\n")
            .doesNotContain("transfer-encoding").endsWith("\r\n\r\n");
        case "early-hints" -> assertThat(direct).startsWith("HTTP/1.1 200 OK\r\n").doesNotContain("103")
            .endsWith("\r\n\r\nok");
        case "own-reason" -> assertThat(direct).startsWith("HTTP/1.1 299 ").doesNotContain("Whatever");
        case "head-chunked" -> assertThat(direct).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\n");
        default -> throw new AssertionError(c[1]);
      }
    }
  }

  /**
   * A backend that answers before the upload has ended (RFC 9112 9.3 allows an early 401 or 413): the gateway
   * closes the client's connection after the answer on both paths (the rest of the body is not a request), and
   * the answer says so (RFC 9110 10.1.1: a server answering before it read the whole content SHOULD say whether
   * it closes). Before, the head went out without {@code Connection: close} and the connection was closed after
   * it, so a client could take it for one it may send its next request on.
   */
  @Test
  void anAnswerBeforeTheUploadEndedSaysTheConnectionClosesOnBothPaths() throws Exception {
    String scriptedToken = scripted.accessToken(USER, PASSWORD);
    for (String path : new String[] {"/script/length", "/%73cript/length"}) {
      double before = direct(scripted);
      // The head and the body's first bytes (the router's client sends the head with them), then nothing more.
      RawTls.Answers answers = RawTls.exchangeOctets("127.0.71.5", scripted.gateway.publicPort(),
          "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + scriptedToken
          + "\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\nthe first part");
      assertThat(direct(scripted) - before).as("relayed in the connection: " + path)
          .isEqualTo(path.startsWith("/script/") ? 1 : 0);
      assertThat(RawTls.statuses(answers.text())).as(path).containsExactly(200);
      assertThat(answers.text()).as(path).endsWith("\r\n\r\nhello");
      assertThat(answers.closed()).as(path).isTrue();
      String head = answers.text().substring(0, answers.text().indexOf("\r\n\r\n") + 2).toLowerCase(java.util.Locale.ROOT);
      assertThat(head).as(path).contains("\r\nconnection: close\r\n");
    }
  }

  /**
   * Against the backend that closes a connection when its second request arrives: a GET that starts a pooled
   * connection is answered, the next GET (sent on that connection, then once more on a new one) too, and a
   * POST on the pooled connection after it gets 502.
   */
  private static void safeRequestIsSentOnceMoreAndAPostIsNot(String first, String second, String post) {
    String closingToken = closing.accessToken(USER, PASSWORD);
    int before = CLOSING_BACKEND_REQUESTS.get();
    assertThat(closing.http.get(first, "Authorization", "Bearer " + closingToken).status()).isEqualTo(200);
    Reply retried = closing.http.get(second, "Authorization", "Bearer " + closingToken);
    assertThat(retried.status()).isEqualTo(200);
    assertThat(retried.body()).isEqualTo("ok " + second);
    assertThat(CLOSING_BACKEND_REQUESTS.get() - before).isEqualTo(3);

    Reply posted = closing.http.send(HttpMethod.POST, post,
        GatewayClient.headers("Authorization", "Bearer " + closingToken, "Content-Type", "text/plain"), "body");
    assertThat(posted.status()).as("not safe to send twice").isEqualTo(502);
  }

  /**
   * A plain-HTTP backend that answers the first request on each connection, keeps the connection open, and
   * closes it without a word when a second request arrives: a keep-alive timeout firing just as the
   * gateway reuses the connection.
   */
  private static int closesIdleConnectionsBackend() {
    return Await.await(vertx.createNetServer().connectHandler(socket -> {
      StringBuilder received = new StringBuilder();
      int[] answered = {0};
      socket.handler(data -> {
        received.append(data.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
        int end = received.indexOf("\r\n\r\n");
        if (end < 0) {
          return;
        }
        String head = received.substring(0, end);
        received.delete(0, end + 4);
        CLOSING_BACKEND_REQUESTS.incrementAndGet();
        CLOSING_BACKEND_LAST_HEAD.set(head);
        if (answered[0]++ > 0) {
          socket.close();
          return;
        }
        String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
        String body = "ok " + path;
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
      });
    }).listen(0, "127.0.0.1")).actualPort();
  }

  /** An answer as its status line, its header fields sorted (names in lower case), and what follows the head. */
  private static String normalized(String answer) {
    int end = answer.indexOf("\r\n\r\n");
    String[] lines = answer.substring(0, end).split("\r\n");
    java.util.List<String> fields = new java.util.ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      fields.add(lines[i].substring(0, colon).toLowerCase(java.util.Locale.ROOT) + lines[i].substring(colon));
    }
    java.util.Collections.sort(fields);
    return lines[0] + "\n" + String.join("\n", fields) + "\n\n" + answer.substring(end + 4);
  }

  /**
   * A plain-HTTP backend that answers each request with the canned answer its path's last segment names (see
   * {@link #theRelayedAnswerIsTheRoutersForEveryFraming}); "until-close" ends its body by closing.
   */
  private static int scriptedBackend() {
    String common = "Connection: keep-alive, X-Secret\r\nX-Secret: s\r\nKeep-Alive: timeout=5\r\n"
        + "Proxy-Authenticate: Basic\r\nSet-Cookie: __Host-gw-session=evil; Path=/\r\nSet-Cookie: theme=dark\r\n"
        + "Strict-Transport-Security: max-age=1\r\nX-Odd: caf\u00e9\r\n";
    Map<String, String> answers = Map.of(
        "length", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + common + "Content-Length: 5\r\n\r\nhello",
        "chunked", "HTTP/1.1 201 Created\r\n" + common + "Transfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
            + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 11\r\n\r\n",
        "until-close", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + common.replace("keep-alive, ", "close, ")
            + "\r\nstreamed until close",
        "head", "HTTP/1.1 200 OK\r\n" + common + "Content-Length: 5\r\n\r\n",
        "no-content", "HTTP/1.1 204 No Content\r\nX-A: 1\r\n" + common + "Content-Length: 7\r\n\r\n",
        "not-modified", "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n" + common + "\r\n",
        "early-hints", "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\n" + common
            + "Content-Length: 2\r\n\r\nok",
        "own-reason", "HTTP/1.1 299 Whatever\r\n" + common + "Content-Length: 0\r\n\r\n",
        "head-chunked", "HTTP/1.1 200 OK\r\n" + common + "Transfer-Encoding: chunked\r\n\r\n");
    return Await.await(vertx.createNetServer().connectHandler(socket -> {
      StringBuilder received = new StringBuilder();
      socket.handler(data -> {
        received.append(data.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
        int end;
        while ((end = received.indexOf("\r\n\r\n")) >= 0) {
          String line = received.substring(0, received.indexOf("\r\n"));
          received.delete(0, end + 4);
          String target = line.substring(line.indexOf(' ') + 1, line.lastIndexOf(' '));
          String name = target.substring(target.lastIndexOf('/') + 1);
          String answer = answers.getOrDefault(name, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
          socket.write(io.vertx.core.buffer.Buffer.buffer(answer.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
          if (name.equals("until-close")) {
            socket.close();
          }
        }
      });
    }).listen(0, "127.0.0.1")).actualPort();
  }

  /** A plain-HTTP backend that answers every request with "ok" and never closes a connection itself. */
  private static int keepsConnectionsOpenBackend() {
    return Await.await(vertx.createNetServer().connectHandler(socket -> {
      IDLE_BACKEND_OPENED.incrementAndGet();
      socket.closeHandler(v -> IDLE_BACKEND_CLOSED.add(System.nanoTime()));
      StringBuilder received = new StringBuilder();
      socket.handler(data -> {
        received.append(data.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
        int end;
        while ((end = received.indexOf("\r\n\r\n")) >= 0) {
          received.delete(0, end + 4);
          socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        }
      });
    }).listen(0, "127.0.0.1")).actualPort();
  }

  private static Map<String, String> backendTls(String host, int port) {
    return Map.of(
        "GATEWAY_BACKEND__URL", "https://" + host + ":" + port,
        "GATEWAY_BACKEND__TRUST_FILE", BACKEND.certificatePath(),
        "GATEWAY_BACKEND__CLIENT_CERT_FILE", GATEWAY_CLIENT.certificatePath(),
        "GATEWAY_BACKEND__CLIENT_KEY_FILE", GATEWAY_CLIENT.privateKeyPath());
  }

  private static double direct(E2eGateway g) {
    return SourceClient.sample(metrics(g), "gateway_proxy_direct_total");
  }

  private static String metrics(E2eGateway g) {
    try (SourceClient admin = SourceClient.admin(vertx, g.gateway.adminPort())) {
      return admin.metrics();
    }
  }
}
