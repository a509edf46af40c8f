package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request smuggling: a client that frames one request so that the gateway and the backend could disagree
 * about where it ends, hoping the backend takes the rest for a request of its own that the gateway never
 * checked (no credentials, no block check, no identity hygiene). Each payload is sent over real TLS with a
 * valid bearer token, once to a plain path (relayed in the connection) and once to a percent-encoded one
 * (the router's proxy). Behind the gateway, a backend with a strict parser of its own records every request
 * line and flags any head whose framing a lenient backend could read differently (both Content-Length and
 * Transfer-Encoding, two lengths, a transfer coding other than chunked, folded or bare-LF lines).
 *
 * <p>Whatever could be read two ways is refused with 400 and the connection closed at once, so that nothing
 * after it is taken for a request; a body that is merely malformed gets the same. Framing that can be read
 * only one way is relayed as one request. Either way the smuggled request, which carries no credentials,
 * never reaches the backend, the backend sees only unambiguous heads, and the connection ends.
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class RequestSmugglingEndToEndTest {
  static final String USER = "smuggler@e2e.test";
  static final String PASSWORD = "Smuggler-timesheets-2026";
  static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n";

  @TempDir static Path dir;
  static Vertx vertx;
  static StrictBackend backend;
  static E2eGateway gw;
  static String token;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    backend = new StrictBackend();
    int port = Await.await(vertx.createNetServer().connectHandler(backend::connected).listen(0, "127.0.0.1"))
        .actualPort();
    gw = E2eGateway.start(dir.resolve("gw"), db, vertx, -1,
        Map.of("GATEWAY_BACKEND__URL", "http://127.0.0.1:" + port));
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(20_000).hash(PASSWORD), true);
    token = gw.accessToken(USER, PASSWORD);
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw);
  }

  @BeforeEach
  void forget() {
    backend.requestLines.clear();
    backend.violations.clear();
  }

  /** Refused: one 400, the connection closed, nothing sent to the backend. */
  static final List<Integer> REFUSED = List.of(400);

  static List<Arguments> payloads() {
    String len = "Content-Length: " + ("0\r\n\r\n" + SMUGGLED).length() + "\r\n";
    String chunkedSmuggle = "0\r\n\r\n" + SMUGGLED;
    String chunked = "Transfer-Encoding: chunked\r\n";
    return List.of(
        Arguments.of("CL.TE: a length and chunked", len + chunked, chunkedSmuggle, REFUSED),
        Arguments.of("TE.CL: chunked and a short length", chunked + "Content-Length: 4\r\n",
            Integer.toHexString(SMUGGLED.length()) + "\r\n" + SMUGGLED + "\r\n0\r\n\r\n", REFUSED),
        Arguments.of("chunked spelled xchunked", len + "Transfer-Encoding: xchunked\r\n", chunkedSmuggle, REFUSED),
        Arguments.of("xchunked alone", "Transfer-Encoding: xchunked\r\n", chunkedSmuggle, REFUSED),
        Arguments.of("space before the colon", len + "Transfer-Encoding : chunked\r\n", chunkedSmuggle, REFUSED),
        Arguments.of("tab before chunked", len + "Transfer-Encoding:\tchunked\r\n", chunkedSmuggle, REFUSED),
        Arguments.of("chunked in upper case beside a length", len + "Transfer-Encoding: CHUNKED\r\n", chunkedSmuggle,
            REFUSED),
        Arguments.of("chunked twice in one header", len + "Transfer-Encoding: chunked, chunked\r\n", chunkedSmuggle,
            REFUSED),
        Arguments.of("identity then chunked", "Transfer-Encoding: identity\r\n" + chunked, chunkedSmuggle, REFUSED),
        Arguments.of("chunked then identity", chunked + "Transfer-Encoding: identity\r\n", chunkedSmuggle, REFUSED),
        Arguments.of("folded transfer coding", len + "Transfer-Encoding:\r\n chunked\r\n", chunkedSmuggle, REFUSED),
        Arguments.of("two different lengths", "Content-Length: 0\r\n" + len, SMUGGLED, REFUSED),
        Arguments.of("two lengths in one header", "Content-Length: 0, " + SMUGGLED.length() + "\r\n", SMUGGLED,
            REFUSED),
        Arguments.of("length with a plus sign", "Content-Length: +" + SMUGGLED.length() + "\r\n", SMUGGLED, REFUSED),
        Arguments.of("length in hexadecimal", "Content-Length: 0x2b\r\n", SMUGGLED, REFUSED),
        Arguments.of("length with a space inside", "Content-Length: 4 3\r\n", SMUGGLED, REFUSED),
        Arguments.of("negative length", "Content-Length: -1\r\n", SMUGGLED, REFUSED),
        Arguments.of("length beyond 64 bits", "Content-Length: 99999999999999999999\r\n", SMUGGLED, REFUSED),
        // Netty 4.2.9 reads a chunk size of more hex digits than an int holds modulo 2^32 (its overflow check
        // only catches a negative result): 0x1000000000000002b is taken for 43, the smuggled request's length.
        // The gateway frames the body afresh for the backend, so those 43 bytes arrive there as body, not as
        // a request; pinned here so that a Netty that refuses the size shows up (then expect REFUSED).
        Arguments.of("chunk size beyond 64 bits", chunked, "1000000000000002b\r\n" + SMUGGLED + "\r\n0\r\n\r\n",
            List.of(200, 200)),
        Arguments.of("chunk size not hexadecimal", chunked, "2g\r\n" + SMUGGLED + "\r\n0\r\n\r\n", REFUSED),
        Arguments.of("chunk size with a sign", chunked, "+2b\r\n" + SMUGGLED + "\r\n0\r\n\r\n", REFUSED),
        Arguments.of("chunk data longer than its size", chunked, "1\r\nab\r\n0\r\n\r\n" + SMUGGLED, REFUSED),
        Arguments.of("bare LF after the chunk size", chunked, "0\n\r\n" + SMUGGLED, REFUSED),
        Arguments.of("NUL in a header value", "X-Note: a\0b\r\n" + len, chunkedSmuggle, REFUSED),
        Arguments.of("CR inside a header value", "X-Note: a\rTransfer-Encoding: chunked\r\n" + len, chunkedSmuggle,
            REFUSED),
        // Framing that is not ambiguous: relayed as one request; what follows it is a request of its own
        // from the client, without credentials, so the gateway answers it (401) and the backend never sees it.
        Arguments.of("a trailer that is a header", chunked, "0\r\nContent-Length: 43\r\n\r\n" + SMUGGLED,
            List.of(200, 401, 200)),
        Arguments.of("a request after a chunked body", chunked, "0\r\n\r\n" + SMUGGLED, List.of(200, 401, 200)),
        Arguments.of("a GET whose body is a request", "Content-Length: " + SMUGGLED.length() + "\r\n", SMUGGLED,
            List.of(200, 200)));
  }

  @ParameterizedTest(name = "{0}, relayed in the connection")
  @MethodSource("payloads")
  void smuggledRequestNeverReachesTheBackendOnTheDirectPath(String name, String headers, String body,
      List<Integer> statuses) throws Exception {
    assertNoSmuggling("/api/entries", headers, body, statuses);
  }

  @ParameterizedTest(name = "{0}, through the router")
  @MethodSource("payloads")
  void smuggledRequestNeverReachesTheBackendThroughTheRouter(String name, String headers, String body,
      List<Integer> statuses) throws Exception {
    assertNoSmuggling("/api/%65ntries", headers, body, statuses);
  }

  private void assertNoSmuggling(String path, String headers, String body, List<Integer> statuses) throws Exception {
    String method = headers.startsWith("Content-Length: " + SMUGGLED.length()) ? "GET" : "POST";
    String request = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token + "\r\n"
        + headers + "\r\n" + body;
    // A last request that closes the connection, so that a gateway still in step ends the exchange.
    String last = "GET /api/last HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
        + "\r\nConnection: close\r\n\r\n";
    RawTls.Answers ex = exchange(request + last);

    assertThat(backend.requestLines).as("request lines the backend parsed").noneMatch(l -> l.contains("/smuggled"));
    assertThat(backend.violations).as("ambiguous framing sent to the backend").isEmpty();
    assertThat(ex.closed()).as("the gateway ends the connection: no hang").isTrue();
    assertThat(RawTls.statuses(ex.text())).as("answers").isEqualTo(statuses);
    if (statuses.equals(REFUSED)) {
      assertThat(backend.requestLines).as("nothing of a refused request reaches the backend").isEmpty();
      assertThat(ex.text().toLowerCase(Locale.ROOT)).contains("connection: close");
      // An answer of the TLS listener like any other: a browser that met only this one still learns HSTS.
      assertThat(ex.text()).contains("Strict-Transport-Security: max-age=");
    } else {
      assertThat(backend.requestLines).containsExactly(method + " " + path + " HTTP/1.1", "GET /api/last HTTP/1.1");
    }
  }

  /**
   * A request with {@code Expect: 100-continue} that the gateway refuses before its proxy is reached (the session
   * gate's 401, the proxy's 405): its client has not sent the body and need not (RFC 9110 10.1.1). Kept open,
   * the connection waits for those bytes and takes the client's next request for them. The answer says
   * {@code Connection: close} and the connection closes, as the proxy's own early answers do.
   */
  @ParameterizedTest(name = "{0} {1} {2}")
  @org.junit.jupiter.params.provider.CsvSource({
      "POST, /api/expect, false, 401", "POST, /api/%65xpect, false, 401", "TRACE, /api/expect, true, 405"})
  void anExpectContinueRequestRefusedBeforeTheProxyClosesItsConnection(String method, String path, boolean signedIn,
      int status) throws Exception {
    RawTls.Answers ex = exchange(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n"
        + (signedIn ? "Authorization: Bearer " + token + "\r\n" : "")
        + "Content-Type: text/plain\r\nContent-Length: 48\r\nExpect: 100-continue\r\n\r\n");

    assertThat(RawTls.statuses(ex.text())).as(ex.text()).containsExactly(status);
    assertThat(ex.text().substring(0, ex.text().indexOf("\r\n\r\n")).toLowerCase(Locale.ROOT))
        .contains("connection: close");
    assertThat(ex.closed()).as("the connection closes after the answer").isTrue();
    assertThat(backend.requestLines).isEmpty();
  }

  /**
   * The other direction: a backend whose answer is followed by bytes that are not part of it (the start of
   * a second answer nobody asked for, a body after a 204, framing that can be read two ways) must not have
   * those bytes taken for the answer to the next request that reuses its pooled connection, which may be
   * another user's (response queue poisoning). {@code %62} is "b": the same request through the router.
   */
  @ParameterizedTest(name = "{0} {1}")
  @org.junit.jupiter.params.provider.CsvSource({
      "/api/bad-extra, 200", "/api/%62ad-extra, 200",
      "/api/bad-204body, 204", "/api/%62ad-204body, 204",
      "/api/bad-both, 200 502", "/api/%62ad-both, 200 502",
      "/api/bad-length, 502", "/api/%62ad-length, 502"})
  void bytesAfterABackendAnswerNeverAnswerTheNextRequest(String path, String allowed) throws Exception {
    RawTls.Answers first = exchange("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
        + "\r\nConnection: close\r\n\r\n");
    List<Integer> statuses = RawTls.statuses(first.text());
    assertThat(statuses).hasSize(1);
    assertThat(List.of(allowed.split(" "))).contains(String.valueOf(statuses.get(0)));
    assertThat(first.text()).doesNotContain("evil");

    for (int i = 0; i < 4; i++) {
      String next = "/api/after-" + i;
      RawTls.Answers after = exchange("GET " + next + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
          + "\r\nConnection: close\r\n\r\n");
      assertThat(after.text()).as("answer to " + next).contains("seen GET " + next + " HTTP/1.1")
          .doesNotContain("evil");
    }
  }

  /**
   * WebSocket upgrade smuggling: a backend that refuses the upgrade (here 426) must leave the connection an
   * HTTP connection; a proxy that opened the tunnel anyway would hand the client a raw pipe to the backend,
   * past every check. The request after the refusal is the gateway's to answer (401: no credentials).
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"/api/ws-refused", "/api/%77s-refused"})
  void aRefusedUpgradeLeavesNoTunnelToTheBackend(String path) throws Exception {
    RawTls.Answers a = exchange("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
        + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        + "GET /smuggled HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

    assertThat(RawTls.statuses(a.text())).containsExactly(426, 401);
    assertThat(backend.requestLines).containsExactly("GET " + path + " HTTP/1.1");
    assertThat(a.closed()).isTrue();
  }

  /**
   * HTTP/2 to HTTP/1.1 header injection: HPACK carries any octet in a value, so a value with CR LF could,
   * copied into the backend's HTTP/1.1 head, end it and start a request of its own. Sent by a raw HTTP/2
   * client (Netty's frame codec, values unchecked), since ordinary clients refuse to send such values.
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {
      "plain, the control", "a\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x", "a\nX-Authenticated-User: root", "a\u0000b"})
  void http2HeaderValuesCannotEndTheBackendsHead(String value) throws Exception {
    java.util.List<Object> frames = RawHttp2.exchange(gw.gateway.publicPort(), new io.netty.handler.codec.http2.DefaultHttp2Headers(false)
        .method("GET").scheme("https").authority("localhost").path("/api/entries")
        .add("authorization", "Bearer " + token).add("x-note", value));
    // The control (a harmless value) is relayed, so the refusals of the others are real.
    relayedOrRefused(frames, value.startsWith("plain"));
  }

  /**
   * HTTP/2 carries any octet in {@code :path} too. A line break there would split a plain log line that names
   * the path (a forged log entry), and a space, line break or control character cannot go into the backend's
   * HTTP/1.1 request line: Netty refuses to build it, and the stream was left without an answer. Refused like
   * a header value with a line break, before any other work.
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {
      "/api/entries", "/api/entries\nX-Injected: 1", "/api/entries\r\nX-Injected: 1", "/api/a b", "/api/a\tb",
      "/api/a\u0000b"})
  void http2RequestTargetsWithLineBreaksSpacesOrControlCharactersAreRefused(String path) throws Exception {
    java.util.List<Object> frames = RawHttp2.exchange(gw.gateway.publicPort(), new io.netty.handler.codec.http2.DefaultHttp2Headers(false)
        .method("GET").scheme("https").authority("localhost").path(path)
        .add("authorization", "Bearer " + token));
    // The control (a plain path) is relayed, so the refusals of the others are real.
    relayedOrRefused(frames, path.equals("/api/entries"));
  }

  /** The control relayed to the backend as GET /api/entries; anything else answered 400 and kept from it. */
  private static void relayedOrRefused(java.util.List<Object> frames, boolean control) {
    assertThat(backend.requestLines).as("request lines the backend parsed").noneMatch(l -> l.contains("/smuggled"));
    assertThat(backend.violations).as("control characters sent to the backend").isEmpty();
    if (control) {
      assertThat(frames).anyMatch(f -> f.toString().contains(":status: 200"));
      assertThat(backend.requestLines).containsExactly("GET /api/entries HTTP/1.1");
    } else {
      assertThat(frames).as("answered, not left waiting").anyMatch(f -> f.toString().contains(":status: 400"));
      assertThat(backend.requestLines).as("nothing of it reaches the backend").isEmpty();
    }
  }

  /**
   * HTTP/2 to HTTP/1.1 (the H2.CL desync): a request whose declared content-length disagrees with its DATA
   * must not reach the backend with that length, where the rest of the body would be read as a request on
   * the keep-alive connection. Netty resets such a stream (PROTOCOL_ERROR) before the gateway forwards it;
   * the connection serves the next request.
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
      "a length shorter than the data | content-length | 0",
      "a length longer than the data | content-length | 500"})
  void http2FramingHeadersNeverSplitARequestForTheBackend(String name, String header, String value) throws Exception {
    io.vertx.core.http.HttpClient h2 = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
        .setSsl(true).setUseAlpn(true).setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2)
        .setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(gw.certFile.toString()))
        .setDefaultHost("localhost").setDefaultPort(gw.gateway.publicPort()));
    // Driven from a Vert.x context, not the JUnit thread: a request on a reused connection started from the test
    // thread now and then never completes in Vert.x 5.0.7 (docs/proxy.md, "Testing notes"); the GET below runs on
    // the connection whose first stream was reset, and once hung in a full build this way.
    io.vertx.core.Context context = vertx.getOrCreateContext();
    try {
      String body = "0\r\n\r\n" + SMUGGLED;
      String outcome;
      try {
        outcome = Await.await(context, () -> h2.request(io.vertx.core.http.HttpMethod.POST, "/api/entries")
            .compose(request -> request.putHeader("authorization", "Bearer " + token).putHeader(header, value)
                .send(io.vertx.core.buffer.Buffer.buffer(body)))
            .compose(response -> response.body().map(b -> response.statusCode() + " " + b)));
      } catch (AssertionError e) {
        // Refused at the HTTP/2 layer (a stream reset): also fine, if nothing reached the backend.
        outcome = "reset: " + e.getMessage();
      }
      String after = Await.await(context, () -> h2.request(io.vertx.core.http.HttpMethod.GET, "/api/after-h2")
          .compose(request -> request.putHeader("authorization", "Bearer " + token).send())
          .compose(response -> response.body().map(b -> response.statusCode() + " " + b)));
      assertThat(after).isEqualTo("200 seen GET /api/after-h2 HTTP/1.1");
      assertThat(backend.requestLines).as("request lines the backend parsed").noneMatch(l -> l.contains("/smuggled"));
      assertThat(backend.violations).as("ambiguous framing sent to the backend").isEmpty();
      assertThat(outcome).startsWith("reset: ").contains("Stream reset");
      assertThat(backend.requestLines).containsExactly("GET /api/after-h2 HTTP/1.1");
    } finally {
      h2.close();
    }
  }

  /**
   * Request targets other than a path: the absolute form reaches the backend as a path (its authority,
   * unchecked, would otherwise be the backend's idea of the host), the asterisk and authority forms are not
   * forwarded, and CONNECT and TRACE are answered 405 without reaching the backend, on both paths.
   */
  @ParameterizedTest(name = "{0} {1}")
  @org.junit.jupiter.params.provider.CsvSource({
      "GET, http://evil.example/api/entries?a=1, 200, GET /api/entries?a=1 HTTP/1.1",
      "POST, https://localhost/api/entries, 200, POST /api/entries HTTP/1.1",
      "OPTIONS, *, 404, ",
      "CONNECT, evil.example:443, 404, ",
      "CONNECT, /api/entries, 405, ",
      "CONNECT, /api/%65ntries, 405, ",
      "CONNECT, http://evil.example/api/entries, 405, ",
      "TRACE, /api/entries, 405, ",
      "TRACE, /api/%65ntries, 405, "})
  void requestTargetsReachTheBackendAsPathsOrNotAtAll(String method, String target, int status, String seen)
      throws Exception {
    RawTls.Answers a = exchange(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
        + token + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assertThat(RawTls.statuses(a.text())).containsExactly(status);
    if (seen == null) {
      assertThat(backend.requestLines).isEmpty();
    } else {
      assertThat(backend.requestLines).containsExactly(seen);
    }
  }

  /**
   * An HTTP/2 CONNECT carries no {@code :path} (RFC 9113 8.5). The gateway's check of the path threw on the
   * missing one: the stream was never answered (the client waited until it gave up, the stream slot stayed
   * taken) and every such request logged a stack trace. Now refused like CONNECT over HTTP/1.1.
   */
  @org.junit.jupiter.api.Test
  void anHttp2ConnectWithoutAPathIsAnsweredNotLeftOpen() throws Exception {
    java.util.List<Object> frames = RawHttp2.exchange(gw.gateway.publicPort(),
        new io.netty.handler.codec.http2.DefaultHttp2Headers(false).method("CONNECT").authority("evil.example:443")
            .add("authorization", "Bearer " + token));
    assertThat(frames).anyMatch(f -> f.toString().contains(":status: 405"));
    assertThat(backend.requestLines).isEmpty();
  }

  /**
   * {@code public.max-header-size} (16k by default) bounds a request's headers over HTTP/2 as over HTTP/1.1.
   * HTTP/2 had Vert.x's own 8k header list size instead, whatever the setting: a browser (HTTP/2) with a 12k
   * cookie got 431 where the same request over HTTP/1.1 was served, and a smaller setting did not apply to it.
   */
  @ParameterizedTest(name = "{0} octets of one header")
  @org.junit.jupiter.params.provider.CsvSource({"12000, 200", "18000, 431"})
  void http2HeadersAreLimitedByTheSameSettingAsHttp11(int size, int status) throws Exception {
    String big = "a".repeat(size);
    RawTls.Answers h1 = exchange("GET /api/entries HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
        + "\r\nX-Big: " + big + "\r\nConnection: close\r\n\r\n");
    assertThat(RawTls.statuses(h1.text())).as("HTTP/1.1").containsExactly(status);
    java.util.List<Object> h2 = RawHttp2.exchange(gw.gateway.publicPort(), new io.netty.handler.codec.http2.DefaultHttp2Headers(false)
        .method("GET").scheme("https").authority("localhost").path("/api/entries")
        .add("authorization", "Bearer " + token).add("x-big", big));
    assertThat(h2).as("HTTP/2").anyMatch(f -> f.toString().contains(":status: " + status));
    assertThat(backend.requestLines).hasSize(status == 200 ? 2 : 0);
  }

  /**
   * A target that is not a path (the asterisk form, {@code api/x}, an HTTP/2 {@code :path} without its slash)
   * matches no route: 404, the gateway's JSON, nothing to the backend. vertx-web refused it with a 404 failure
   * that nothing handled, so every such request, without credentials too, wrote an ERROR line ("Unhandled
   * exception in router") and got a plain-text answer.
   */
  @org.junit.jupiter.api.Test
  void targetsThatAreNotPathsGetTheGateways404WithoutAnErrorLogLine() throws Exception {
    try (com.timereg.gateway.testsupport.CapturedLogs logs = com.timereg.gateway.testsupport.CapturedLogs.atDebug()) {
      RawTls.Answers star = exchange("OPTIONS * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
      RawTls.Answers relative = exchange("GET api/entries HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
          + token + "\r\nConnection: close\r\n\r\n");
      java.util.List<Object> h2 = RawHttp2.exchange(gw.gateway.publicPort(),
          new io.netty.handler.codec.http2.DefaultHttp2Headers(false).method("GET").scheme("https")
              .authority("localhost").path("api/entries").add("authorization", "Bearer " + token));
      assertThat(RawTls.statuses(star.text())).containsExactly(404);
      assertThat(RawTls.statuses(relative.text())).containsExactly(404);
      assertThat(star.text()).contains("\"error\":\"not_found\"");
      assertThat(h2).anyMatch(f -> f.toString().contains(":status: 404"));
      assertThat(backend.requestLines).isEmpty();
      assertThat(logs.lines()).noneMatch(l -> l.contains("Unhandled exception"));
    }
  }

  private static RawTls.Answers exchange(String requests) throws Exception {
    return RawTls.exchangeOctets("127.0.72.1", gw.gateway.publicPort(), requests);
  }

  /**
   * A backend with a strict HTTP/1.1 parser: it answers every request it can delimit with 200 and its
   * request line, and records as a violation any head a lenient parser could delimit differently.
   */
  static final class StrictBackend {
    final List<String> requestLines = new CopyOnWriteArrayList<>();
    final List<String> violations = new CopyOnWriteArrayList<>();

    void connected(io.vertx.core.net.NetSocket socket) {
      StringBuilder pending = new StringBuilder();
      socket.handler(data -> {
        pending.append(data.toString(StandardCharsets.ISO_8859_1));
        String text = pending.toString();
        int consumed = 0;
        while (true) {
          int used = parseOne(text.substring(consumed), socket);
          if (used <= 0) {
            if (used < 0) {
              socket.close();
              return;
            }
            break;
          }
          consumed += used;
        }
        pending.delete(0, consumed);
      });
    }

    /** Bytes of one whole request at the start of {@code text}, 0 when incomplete, -1 when unparseable. */
    private int parseOne(String text, io.vertx.core.net.NetSocket socket) {
      int end = text.indexOf("\r\n\r\n");
      if (end < 0) {
        return 0;
      }
      String head = text.substring(0, end);
      String[] lines = head.split("\r\n", -1);
      long length = -1;
      boolean chunked = false;
      int lengths = 0;
      for (int i = 1; i < lines.length; i++) {
        String line = lines[i];
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0 || line.indexOf('\0') >= 0) {
          violations.add("control character in: " + line);
        }
        if (line.startsWith(" ") || line.startsWith("\t")) {
          violations.add("folded line: " + line);
        }
        int colon = line.indexOf(':');
        if (colon <= 0 || !line.substring(0, colon).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
          violations.add("malformed header: " + line);
          continue;
        }
        String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).strip();
        if (name.equals("content-length")) {
          lengths++;
          if (!value.matches("[0-9]{1,18}")) {
            violations.add("content-length: " + value);
          } else {
            length = Long.parseLong(value);
          }
        } else if (name.equals("transfer-encoding")) {
          if (!value.equals("chunked") || chunked) {
            violations.add("transfer-encoding: " + value);
          }
          chunked = true;
        }
      }
      if (lengths > 1 || (lengths == 1 && chunked)) {
        violations.add("framing: " + lengths + " lengths, chunked " + chunked);
      }
      if (head.indexOf('\n') != head.indexOf("\r\n") + 1 && head.contains("\n")) {
        violations.add("bare LF in head");
      }
      int at = end + 4;
      if (chunked) {
        while (true) {
          int eol = text.indexOf("\r\n", at);
          if (eol < 0) {
            return 0;
          }
          String size = text.substring(at, eol);
          if (!size.matches("[0-9a-fA-F]{1,15}")) {
            violations.add("chunk size: " + size);
            return -1;
          }
          long n = Long.parseLong(size, 16);
          at = eol + 2;
          if (n == 0) {
            int trailerEnd = text.indexOf("\r\n", at);
            while (trailerEnd > at) {
              at = trailerEnd + 2;
              trailerEnd = text.indexOf("\r\n", at);
            }
            if (trailerEnd < 0) {
              return 0;
            }
            at = trailerEnd + 2;
            break;
          }
          if (text.length() < at + n + 2) {
            return 0;
          }
          if (!text.startsWith("\r\n", (int) (at + n))) {
            violations.add("chunk data not followed by CRLF");
            return -1;
          }
          at += (int) n + 2;
        }
      } else if (length > 0) {
        if (text.length() < at + length) {
          return 0;
        }
        at += (int) length;
      }
      requestLines.add(lines[0]);
      String evil = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nevil!";
      if (lines[0].contains("ad-extra ")) {
        socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok" + evil);
        return at;
      } else if (lines[0].contains("ad-204body ")) {
        socket.write("HTTP/1.1 204 No Content\r\n\r\n" + evil);
        return at;
      } else if (lines[0].contains("ad-both ")) {
        socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n" + evil);
        return at;
      } else if (lines[0].contains("s-refused ")) {
        socket.write("HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\n\r\n");
        return at;
      } else if (lines[0].contains("ad-length ")) {
        socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2x\r\n\r\nok" + evil);
        return at;
      }
      String answer = "seen " + lines[0];
      socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + answer.length() + "\r\n\r\n"
          + answer);
      return at;
    }
  }
}
