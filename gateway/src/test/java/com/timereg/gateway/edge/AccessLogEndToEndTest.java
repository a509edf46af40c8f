package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import com.timereg.gateway.testsupport.SourceClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access log ({@code public.access-log}) as security staff and SREs read it: one JSON line per answered
 * request, whichever way it was answered (relayed in the connection, routed, refused before routing, refused
 * in the connection), over HTTP/1.1 and HTTP/2, with the client address the gateway decided on and the
 * session's user, and never a token, a password or a query string; a hostile User-Agent cannot forge a field.
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class AccessLogEndToEndTest {
  static final String USER = "alma@e2e.test";
  static final String PASSWORD = "Alma-reads-the-access-log-2026";

  @TempDir static Path dir;
  static Vertx vertx;
  static E2eGateway gw;
  static String token;
  /** The access log file (public.access-log names a file), and how much of it earlier tests read. */
  static Path file;
  static long seen;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    file = dir.resolve("access.log");
    gw = E2eGateway.start(dir, db, vertx, 0, Map.of("GATEWAY_THROTTLE__IP_FAILURE_LIMIT", "3",
        "GATEWAY_PUBLIC__ACCESS_LOG", file.toString()));
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(20_000).hash(PASSWORD), true);
    token = gw.accessToken(USER, PASSWORD);
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw);
  }

  /** Each test reads only the lines written after it began (the log is written in batches: wait first). */
  @BeforeEach
  void skipEarlierLines() throws Exception {
    Await.await(vertx.timer(2 * com.timereg.gateway.accesslog.JsonLinesAccessLog.FLUSH_INTERVAL.toMillis()));
    seen = java.nio.file.Files.exists(file) ? java.nio.file.Files.size(file) : 0;
  }

  @Test
  void aRelayedRequestIsLoggedWithItsClientUserAndPathButNotItsQueryOrToken() {
    try (SourceClient client = new SourceClient(vertx, "127.0.92.1", gw.gateway.publicPort())) {
      SourceClient.Reply r = client.get("/api/me?reset=s3cr3t-value",
          Map.of("Authorization", "Bearer " + token, "User-Agent", "timesheet-app/4.2"));
      assertThat(r.status()).isEqualTo(200);

      JsonObject line = line(l -> "/api/me".equals(l.getString("path")));
      assertThat(line.getString("via")).as("relayed in the connection").isEqualTo("direct");
      assertThat(line.getString("client")).isEqualTo("127.0.92.1");
      assertThat(line.getString("method")).isEqualTo("GET");
      assertThat(line.getString("protocol")).isEqualTo("HTTP/1.1");
      assertThat(line.getInteger("status")).isEqualTo(200);
      assertThat(line.getLong("bytes")).isEqualTo(r.body().length());
      assertThat(line.getLong("duration_us")).isPositive();
      assertThat(line.getString("user")).isEqualTo(USER);
      assertThat(line.getString("customer")).isNotBlank();
      assertThat(line.getString("auth")).isEqualTo("password");
      assertThat(line.getString("user_agent")).isEqualTo("timesheet-app/4.2");
      assertThat(line.getString("host")).startsWith("127.0.0.1:");
      assertThat(line.getString("time")).endsWith("Z");
      assertThat(everything()).doesNotContain("s3cr3t-value").doesNotContain(token);
    }
  }

  @Test
  void routedAnswersAreLoggedLoginsWithoutTheirPassword() {
    try (SourceClient client = new SourceClient(vertx, "127.0.92.2", gw.gateway.publicPort())) {
      assertThat(client.get("/api/%6De", Map.of("Authorization", "Bearer " + token)).status()).isEqualTo(200);
      assertThat(client.get("/api/me", Map.of("Accept", "application/json")).status()).isEqualTo(401);
      assertThat(client.token(USER, PASSWORD).status()).isEqualTo(200);

      JsonObject encoded = line(l -> "/api/%6De".equals(l.getString("path")));
      assertThat(encoded.getString("via")).isEqualTo("router");
      assertThat(encoded.getString("user")).isEqualTo(USER);
      assertThat(encoded.getInteger("status")).isEqualTo(200);

      JsonObject refused = line(l -> "/api/me".equals(l.getString("path")) && l.getInteger("status") == 401);
      assertThat(refused.getString("via")).isEqualTo("router");
      assertThat(refused.containsKey("user")).as("no session, no user").isFalse();

      JsonObject login = line(l -> "/auth/token".equals(l.getString("path")));
      assertThat(login.getString("method")).isEqualTo("POST");
      assertThat(login.getInteger("status")).isEqualTo(200);
      assertThat(login.getLong("bytes")).isPositive();
      assertThat(everything()).doesNotContain(PASSWORD);
    }
  }

  @Test
  void aWebSocketTunnelIsLoggedAsItsUpgradeWithItsUser() {
    io.vertx.core.http.WebSocketClient ws = vertx.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions()
        .setSsl(true).setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(gw.certFile.toString())));
    try {
      String echoed = Await.await(ws.connect(new io.vertx.core.http.WebSocketConnectOptions().setHost("localhost")
              .setPort(gw.http.port()).setSsl(true).setURI("/ws/echo").addHeader("Authorization", "Bearer " + token))
          .compose(socket -> {
            io.vertx.core.Promise<String> reply = io.vertx.core.Promise.promise();
            socket.textMessageHandler(reply::tryComplete);
            return socket.writeTextMessage("logged?").compose(v -> reply.future())
                .compose(text -> socket.close().map(text));
          }));
      assertThat(echoed).isEqualTo("logged?");
    } finally {
      Await.await(ws.close());
    }
    JsonObject line = line(l -> "/ws/echo".equals(l.getString("path")));
    assertThat(line.getString("via")).isEqualTo("router");
    assertThat(line.getInteger("status")).as("the upgrade, not a client that left").isEqualTo(101);
    assertThat(line.getString("user")).isEqualTo(USER);
    assertThat(line.getLong("bytes")).as("the echo and the close frame relayed to the client").isPositive();
    assertThat(everything()).doesNotContain(token);
  }

  @Test
  void http2RequestsAreLoggedAsHttp2() {
    GatewayClient h2 = new GatewayClient(vertx, gw.gateway, gw.certFile, HttpVersion.HTTP_2);
    try {
      assertThat(h2.get("/api/headers", "Authorization", "Bearer " + token).status()).isEqualTo(200);
    } finally {
      h2.close();
    }
    JsonObject line = line(l -> "/api/headers".equals(l.getString("path")));
    assertThat(line.getString("protocol")).isEqualTo("HTTP/2");
    assertThat(line.getString("via")).isEqualTo("router");
    assertThat(line.getInteger("status")).isEqualTo(200);
    assertThat(line.getLong("bytes")).isPositive();
    assertThat(line.getString("user")).isEqualTo(USER);
    assertThat(line.getString("host")).startsWith("localhost:");
  }

  @Test
  void whatABlockedAddressDidIsThereLineByLine() {
    try (SourceClient guesser = new SourceClient(vertx, "127.0.92.3", gw.gateway.publicPort())) {
      int failed = guesser.failUntilBlocked(10, Map.of());
      assertThat(guesser.get("/api/timesheets", Map.of("Accept", "application/json")).status()).isEqualTo(429);

      // The last answer's line, waited for: the log is written in batches.
      JsonObject refusedInConnection = line(l -> "/api/timesheets".equals(l.getString("path"))
          && "127.0.92.3".equals(l.getString("client")));
      List<JsonObject> fromIt = all(l -> "127.0.92.3".equals(l.getString("client")));
      List<String> seen = fromIt.stream().map(l -> l.getString("path") + " " + l.getInteger("status")).toList();
      assertThat(seen.stream().filter("/auth/token 401"::equals)).hasSize(failed);
      assertThat(seen).contains("/auth/token 429", "/api/timesheets 429");
      assertThat(refusedInConnection.getString("via")).isEqualTo("direct");
    }
  }

  @Test
  void aRequestRefusedBeforeRoutingIsLoggedToo() throws Exception {
    String answer = RawTls.exchangeOctets("127.0.92.4", gw.gateway.publicPort(),
        "POST /api/timesheets HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "0\r\n\r\n").text();
    assertThat(RawTls.statuses(answer)).containsExactly(400);
    JsonObject line = line(l -> "127.0.92.4".equals(l.getString("client")));
    assertThat(line.getString("via")).isEqualTo("entry");
    assertThat(line.getInteger("status")).isEqualTo(400);
    assertThat(line.getString("path")).isEqualTo("/api/timesheets");
  }

  @Test
  void requestsThatAreNotHttpAreLoggedWithTheirAddressAndStatusOnly() throws Exception {
    // A request line Netty cannot parse (a space in the target): Netty hands Vert.x a placeholder
    // (GET /bad-request), which must not be logged as what the client sent. A header too long: the request
    // line was read, and is logged.
    String bad = RawTls.exchangeOctets("127.0.92.6", gw.gateway.publicPort(),
        "GET /a b c HTTP/1.1\r\nHost: localhost\r\nUser-Agent: probe\r\n\r\n").text();
    // Vert.x answers in the placeholder's version, HTTP/1.0.
    assertThat(bad).startsWith("HTTP/1.0 400 ").contains("Strict-Transport-Security");
    String tooLong = RawTls.exchangeOctets("127.0.92.7", gw.gateway.publicPort(),
        "GET /api/me HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "y".repeat(40_000) + "\r\n\r\n").text();
    assertThat(tooLong).startsWith("HTTP/1.1 431 ");

    JsonObject line = line(l -> "127.0.92.6".equals(l.getString("client")));
    assertThat(line.getInteger("status")).isEqualTo(400);
    assertThat(line.getString("via")).isEqualTo("entry");
    assertThat(line.getLong("bytes")).isPositive();
    assertThat(line.fieldNames()).doesNotContain("method", "path", "protocol", "host", "user_agent", "user");
    JsonObject big = line(l -> "127.0.92.7".equals(l.getString("client")));
    assertThat(big.getInteger("status")).isEqualTo(431);
    assertThat(big.getString("method")).isEqualTo("GET");
    assertThat(big.getString("path")).isEqualTo("/api/me");
    assertThat(big.getString("via")).isEqualTo("entry");
  }

  @Test
  void aMalformedChunkedBodyIsLoggedWithThe400TheClientGot() throws Exception {
    // Chunked bodies go to Vert.x; the connection's handler answers 400 in its place when a chunk size is
    // not hexadecimal. The router's line must say so, not 499 (client gone).
    String answer = RawTls.exchangeOctets("127.0.92.8", gw.gateway.publicPort(),
        "POST /api/timesheets HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token + "\r\n"
        + "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\nhello\r\n0\r\n\r\n").text();
    assertThat(RawTls.statuses(answer)).containsExactly(400);
    JsonObject line = line(l -> "127.0.92.8".equals(l.getString("client")));
    assertThat(line.getInteger("status")).isEqualTo(400);
    assertThat(line.getString("via")).isEqualTo("router");
    assertThat(line.getString("user")).isEqualTo(USER);
    assertThat(line.getLong("bytes")).isPositive();
  }

  @Test
  void anAbsoluteFormTargetWithoutAPathLogsNoPartOfItsQuery() throws Exception {
    // Vert.x takes the path of "http://host?a=/b" from inside the query ("/b"), so the line held query text.
    String answer = RawTls.exchangeOctets("127.0.92.9", gw.gateway.publicPort(),
        "GET http://localhost?reset=/s3cr3t-in-the-query HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
        + "Connection: close\r\n\r\n").text();
    assertThat(RawTls.statuses(answer)).hasSize(1);

    JsonObject line = line(l -> "127.0.92.9".equals(l.getString("client")));
    assertThat(line.getString("path")).isEqualTo("/");
    assertThat(everything()).doesNotContain("s3cr3t");
  }

  @Test
  void aPathWithABrokenPercentEscapeIsLoggedWithTheAnswerItGot() throws Exception {
    String answer = RawTls.exchangeOctets("127.0.92.14", gw.gateway.publicPort(),
        "GET /api/%zz HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\nAuthorization: Bearer " + token
        + "\r\nConnection: close\r\n\r\n").text();
    List<Integer> statuses = RawTls.statuses(answer);
    assertThat(statuses).hasSize(1);
    JsonObject line = line(l -> "127.0.92.14".equals(l.getString("client")));
    assertThat(line.getInteger("status")).isEqualTo(statuses.get(0));
  }

  @Test
  void aPathWithABrokenPercentEscapeGetsTheGatewaysOwn400AndNoErrorLine() throws Exception {
    // vertx-web threw on such a path while matching routes: a text/plain "Bad Request" unlike every other refusal,
    // and an ERROR line with a stack trace in the application log for each such request, at any client's will.
    String[] paths = {"/api/%zz", "/%", "/%4"};
    try (com.timereg.gateway.testsupport.CapturedLogs logs = com.timereg.gateway.testsupport.CapturedLogs.atDebug()) {
      for (int i = 0; i < paths.length; i++) {
        String answer = RawTls.exchangeOctets("127.0.92." + (20 + i), gw.gateway.publicPort(),
            "GET " + paths[i] + "?next=%0d%0a HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
            + "\r\nConnection: close\r\n\r\n").text();
        assertThat(RawTls.statuses(answer)).as(paths[i]).containsExactly(400);
        String head = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
        assertThat(head).as(paths[i]).contains("content-type: application/json", "strict-transport-security");
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        assertThat(new JsonObject(body).getString("error")).as(paths[i]).isEqualTo("bad_request");
        assertThat(body).as(paths[i]).doesNotContain("%", "Exception");

        String client = "127.0.92." + (20 + i);
        JsonObject line = line(l -> client.equals(l.getString("client")));
        assertThat(line.getInteger("status")).isEqualTo(400);
        assertThat(line.getString("path")).isEqualTo(paths[i]);
        assertThat(line.getString("via")).isEqualTo("entry");
      }
      assertThat(logs.lines()).noneMatch(l -> l.contains("Unhandled exception") || l.contains("Invalid escape") || l.contains("escape character"));
    }
  }

  @Test
  void aClientThatLeavesDuringTheBodyIsLoggedWithTheStatusItGotOnTheRelayAndTheRouterAlike() throws Exception {
    // The connection's relay logged 499 for a client that left once its answer had begun, the router the status
    // it had sent (as nginx does): the same departure read differently by path. "%62" is "b": routed.
    String[][] cases = {{"127.0.92.30", "/api/blob", "direct"}, {"127.0.92.31", "/api/%62lob", "router"}};
    long size = 200L << 20;
    for (String[] c : cases) {
      try (java.net.Socket plain = new java.net.Socket()) {
        plain.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName(c[0]), 0));
        plain.connect(new java.net.InetSocketAddress("127.0.0.1", gw.gateway.publicPort()), 5000);
        plain.setSoTimeout(10_000);
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) com.timereg.gateway.testsupport.TrustAllTls
            .context().getSocketFactory().createSocket(plain, "localhost", 0, true)) {
          socket.getOutputStream().write(("GET " + c[1] + "?size=" + size + " HTTP/1.1\r\nHost: localhost\r\n"
              + "Authorization: Bearer " + token + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          socket.getOutputStream().flush();
          java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
          byte[] buffer = new byte[8192];
          while (got.size() < 64 * 1024) {
            int n = socket.getInputStream().read(buffer);
            assertThat(n).as(c[1]).isPositive();
            got.write(buffer, 0, n);
          }
          assertThat(got.toString(java.nio.charset.StandardCharsets.ISO_8859_1)).as(c[1]).startsWith("HTTP/1.1 200 ");
        }
      }
      JsonObject line = line(l -> c[0].equals(l.getString("client")));
      assertThat(line.getString("via")).as(c[1]).isEqualTo(c[2]);
      assertThat(line.getInteger("status")).as(c[1]).isEqualTo(200);
      assertThat(line.getLong("bytes")).as(c[1]).isPositive().isLessThan(size);
    }
  }

  @Test
  void aHeadOverHttp1IsLoggedWithTheBodyBytesSentNone() throws Exception {
    // Vert.x counts the body an answer to a HEAD was given, though its encoder sends none; over HTTP/2 the line
    // said 0 (HeadOverHttp2), over HTTP/1.1 the dropped body's length.
    String answer = RawTls.exchangeOctets("127.0.92.10", gw.gateway.publicPort(),
        "HEAD /api/me HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\nConnection: close\r\n\r\n").text();
    assertThat(RawTls.statuses(answer)).containsExactly(401);
    assertThat(answer).endsWith("\r\n\r\n");

    JsonObject line = line(l -> "127.0.92.10".equals(l.getString("client")));
    assertThat(line.getString("method")).isEqualTo("HEAD");
    assertThat(line.getString("via")).isEqualTo("router");
    assertThat(line.getInteger("status")).isEqualTo(401);
    assertThat(line.getLong("bytes")).as("no body went out").isZero();
  }

  @Test
  void anHttp10RequestRefusedEarlyIsLoggedAsHttp10() throws Exception {
    try (SourceClient guesser = new SourceClient(vertx, "127.0.92.11", gw.gateway.publicPort())) {
      guesser.failUntilBlocked(10, Map.of());
    }
    String blocked = RawTls.exchangeOctets("127.0.92.11", gw.gateway.publicPort(),
        "GET /api/timesheets?reset=s3cr3t-blocked HTTP/1.0\r\nHost: localhost\r\nAccept: application/json\r\n\r\n")
        .text();
    assertThat(blocked).startsWith("HTTP/1.0 429 ");
    String framing = RawTls.exchangeOctets("127.0.92.12", gw.gateway.publicPort(),
        "POST /api/timesheets?reset=s3cr3t-framing HTTP/1.0\r\nHost: localhost\r\nContent-Length: 4\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n").text();
    assertThat(framing).startsWith("HTTP/1.0 400 ");

    JsonObject refused = line(l -> "127.0.92.11".equals(l.getString("client")) && l.getInteger("status") == 429
        && "/api/timesheets".equals(l.getString("path")));
    assertThat(refused.getString("protocol")).isEqualTo("HTTP/1.0");
    JsonObject bad = line(l -> "127.0.92.12".equals(l.getString("client")));
    assertThat(bad.getString("protocol")).isEqualTo("HTTP/1.0");
    assertThat(bad.getString("path")).isEqualTo("/api/timesheets");
    assertThat(everything()).doesNotContain("s3cr3t");
  }

  @Test
  void aRequestInAnHttpVersionNotServedIsLoggedToo() throws Exception {
    // Netty reads any "NAME/d.d" as a version; Vert.x answered one other than HTTP/1.0 and HTTP/1.1 itself (501,
    // no HSTS), before the gateway's handler saw the request, so the probe had no line.
    String answer = RawTls.exchangeOctets("127.0.92.13", gw.gateway.publicPort(),
        "GET /api/me?reset=s3cr3t-version HTTP/1.2\r\nHost: localhost\r\nUser-Agent: probe\r\n\r\n").text();
    assertThat(answer).startsWith("HTTP/1.1 505 ").contains("Strict-Transport-Security", "Connection: close");

    JsonObject line = line(l -> "127.0.92.13".equals(l.getString("client")));
    assertThat(line.getInteger("status")).isEqualTo(505);
    assertThat(line.getString("protocol")).isEqualTo("HTTP/1.2");
    assertThat(line.getLong("bytes")).isPositive();
    assertThat(line.getString("method")).isEqualTo("GET");
    assertThat(line.getString("path")).isEqualTo("/api/me");
    assertThat(line.getString("via")).isEqualTo("direct");
    assertThat(everything()).doesNotContain("s3cr3t");
  }

  @Test
  void aTargetWithoutAPathGetsTheGatewaysOwn400AndALine() throws Exception {
    // "GET ?a=1": the path is empty, which vertx-web fails with 400 while routing; without an error handler for it
    // the client got vertx-web's text/plain "Bad Request", without nosniff or no-store, unlike every other refusal.
    String answer = RawTls.exchangeOctets("127.0.92.43", gw.gateway.publicPort(),
        "GET ?a=1 HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\nConnection: close\r\n\r\n").text();
    assertThat(RawTls.statuses(answer)).containsExactly(400);
    String head = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
    assertThat(head).contains("content-type: application/json", "x-content-type-options: nosniff",
        "strict-transport-security");
    assertThat(new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4)).getString("error"))
        .isEqualTo("bad_request");
    JsonObject line = line(l -> "127.0.92.43".equals(l.getString("client")));
    assertThat(line.getInteger("status")).isEqualTo(400);
    assertThat(line.toString()).doesNotContain("a=1");
  }

  @Test
  void aHostileUserAgentStaysOneFieldOfOneLine() {
    String hostile = "x\",\"user\":\"root\",\"status\":200,\"a\":\"\\ é";
    try (SourceClient client = new SourceClient(vertx, "127.0.92.5", gw.gateway.publicPort())) {
      client.get("/api/me", Map.of("User-Agent", hostile, "Accept", "application/json"));
    }
    JsonObject line = line(l -> "127.0.92.5".equals(l.getString("client")));
    assertThat(line.getString("user_agent")).isEqualTo(hostile);
    assertThat(line.containsKey("user")).isFalse();
    assertThat(line.getInteger("status")).isEqualTo(401);
    assertThat(lines()).allSatisfy(l -> assertThat(l).doesNotContain("é").startsWith("{").endsWith("}"));
  }

  @Test
  void theLogFileIsNotWorldReadable() throws Exception {
    // Its lines hold client addresses and user names; the process umask (022 here) must not decide who reads them.
    try (SourceClient client = new SourceClient(vertx, "127.0.92.6", gw.gateway.publicPort())) {
      client.get("/api/me", Map.of("Accept", "application/json"));
    }
    line(l -> "127.0.92.6".equals(l.getString("client")));
    assertThat(java.nio.file.Files.getPosixFilePermissions(file)).doesNotContain(
        java.nio.file.attribute.PosixFilePermission.OTHERS_READ, java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
  }

  @Test
  void afterLogrotateMovesTheFileNewLinesGoToANewFileAtThePath() throws Exception {
    try (SourceClient client = new SourceClient(vertx, "127.0.92.7", gw.gateway.publicPort())) {
      client.get("/before-rotation", Map.of("Accept", "application/json"));
      line(l -> "/before-rotation".equals(l.getString("path")));
      // What logrotate does without copytruncate: rename the file, then (postrotate) nothing the gateway hears of.
      Path rotated = dir.resolve("access.log.1");
      java.nio.file.Files.move(file, rotated, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      seen = 0;
      client.get("/after-rotation", Map.of("Accept", "application/json"));

      JsonObject after = line(l -> "/after-rotation".equals(l.getString("path")));
      assertThat(after.getString("client")).isEqualTo("127.0.92.7");
      assertThat(java.nio.file.Files.readString(rotated)).contains("/before-rotation").doesNotContain("/after-rotation");
      assertThat(java.nio.file.Files.getPosixFilePermissions(file))
          .doesNotContain(java.nio.file.attribute.PosixFilePermission.OTHERS_READ);
    }
  }

  @Test
  void anAccessLogThatCannotBeOpenedStopsTheStartNamingTheSetting(TestDatabase db) throws Exception {
    // A directory where the file should be: the operator must learn which setting to fix, not only a path.
    Path taken = java.nio.file.Files.createDirectories(dir.resolve("not-a-file.log"));
    Vertx other = Vertx.vertx();
    try {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> E2eGateway.start(dir.resolve("second"), db, other, 0,
              Map.of("GATEWAY_PUBLIC__ACCESS_LOG", taken.toString())))
          .satisfies(e -> assertThat(e.getMessage())
              .contains("public.access-log").contains(taken.toString()).containsIgnoringCase("is a directory"));
    } finally {
      Await.await(other.close());
    }
  }

  // --- helpers ---

  /** The one line matching, waiting (bounded) for it: a line is written after its answer went out. */
  private static JsonObject line(Predicate<JsonObject> which) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      List<JsonObject> found = all(which);
      if (found.size() == 1) {
        return found.get(0);
      }
      assertThat(found).as("at most one matching line in %s", everything()).hasSizeLessThanOrEqualTo(1);
      assertThat(System.nanoTime()).as("a matching line in %s", everything()).isLessThan(deadline);
      Await.await(vertx.timer(20));
    }
  }

  private static List<JsonObject> all(Predicate<JsonObject> which) {
    return lines().stream().map(JsonObject::new).filter(which).toList();
  }

  /** The whole lines written since the test began. */
  private static List<String> lines() {
    try {
      byte[] all = java.nio.file.Files.exists(file) ? java.nio.file.Files.readAllBytes(file) : new byte[0];
      String text = new String(all, (int) seen, all.length - (int) seen, java.nio.charset.StandardCharsets.US_ASCII);
      int end = text.lastIndexOf('\n');
      return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String everything() {
    return String.join("\n", lines());
  }
}
