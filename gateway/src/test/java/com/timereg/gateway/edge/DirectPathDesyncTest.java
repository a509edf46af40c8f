package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Response desync and host checks on the direct path ({@link ConnectionFastPath}, {@code proxy.DirectProxy}),
 * each compared with the router (a percent-encoded path takes the router: {@code %65} is "e", {@code %61} "a",
 * {@code %68} "h", {@code %6D} "m").
 *
 * <p>Behind the gateways, a raw backend that answers by path: {@code extra} answers "ok" and, in the same write,
 * a second answer nobody asked for ("evil!"); {@code extra-slow} does the same after 400 ms; {@code http10-both}
 * answers as HTTP/1.0 with both Content-Length and chunked transfer coding; anything else is answered "seen" and
 * its request line; {@code status-NNN} answers with the status line "HTTP/1.1 NNN"; {@code bad-chunk} breaks its
 * chunked answer right after the head; {@code huge} streams a 1 GiB body as fast as it may write.
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class DirectPathDesyncTest {
  static final String USER = "desync@e2e.test";
  static final String PASSWORD = "Desync-timesheets-2026";
  static final String EVIL = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nevil!";

  @TempDir static Path dir;
  static Vertx vertx;
  static E2eGateway gw;
  /** One event loop and one backend connection: two clients take turns on the same pooled connection. */
  static E2eGateway single;
  static String token;
  static String singleToken;
  static final AtomicReference<String> LAST_HEAD = new AtomicReference<>();
  /** The {@code huge} answer's backend connection: stalled (its writes held back for 300 ms), then closed. */
  static final AtomicReference<CompletableFuture<Void>> HUGE_STALLED = new AtomicReference<>(new CompletableFuture<>());
  static final AtomicReference<CompletableFuture<Void>> HUGE_CLOSED = new AtomicReference<>(new CompletableFuture<>());

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    int port = Await.await(vertx.createNetServer().connectHandler(DirectPathDesyncTest::backend)
        .listen(0, "127.0.0.1")).actualPort();
    gw = E2eGateway.start(dir.resolve("gw"), db, vertx, -1, Map.of(
        "GATEWAY_BACKEND__URL", "http://127.0.0.1:" + port,
        "GATEWAY_PUBLIC__ALLOWED_HOSTS", "localhost"));
    single = E2eGateway.start(dir.resolve("single"), db, vertx, -1, Map.of(
        "GATEWAY_BACKEND__URL", "http://127.0.0.1:" + port,
        "GATEWAY_PUBLIC__EVENT_LOOPS", "1",
        "GATEWAY_BACKEND__MAX_CONNECTIONS", "1"));
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(20_000).hash(PASSWORD), true);
    token = gw.accessToken(USER, PASSWORD);
    singleToken = single.accessToken(USER, PASSWORD);
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw, single);
  }

  /**
   * A backend answer followed, in the same read, by bytes nobody asked for: the request the client pipelined
   * behind it is decided as soon as the first answer ends, and must not be answered with those bytes.
   */
  @ParameterizedTest(name = "{0} then {1}")
  @CsvSource({"/api/extra, /api/after", "/api/%65xtra, /api/%61fter"})
  void bytesAfterAnAnswerNeverAnswerTheRequestPipelinedBehindIt(String first, String second) throws Exception {
    RawTls.Answers a = RawTls.exchangeOctets("127.0.76.1", gw.gateway.publicPort(),
        get(first, token, false) + get(second, token, true));
    List<Response> responses = parse(a.text());
    assertThat(responses).as(a.text()).hasSizeGreaterThanOrEqualTo(1);
    assertThat(responses.get(0).body()).isEqualTo("ok");
    assertThat(a.text()).as("the unasked answer reaches no one").doesNotContain("evil!");
    if (responses.size() > 1) {
      assertThat(responses.get(1).body()).isEqualTo("seen GET " + second + " HTTP/1.1");
    }
  }

  /**
   * The same with another client waiting for the one pooled connection: the unasked answer must not become that
   * client's answer (another user's response).
   */
  @ParameterizedTest(name = "{0} then {1}")
  @CsvSource({"/api/extra-slow, /api/mine", "/api/%65xtra-slow, /api/%6Dine"})
  void bytesAfterAnAnswerNeverAnswerTheClientWaitingForTheConnection(String first, String second) throws Exception {
    LAST_HEAD.set(null);
    CompletableFuture<RawTls.Answers> a = CompletableFuture.supplyAsync(() -> exchange(single, "127.0.76.2",
        get(first, singleToken, true)));
    // B asks only once A's request holds the one backend connection (the backend answers it 400 ms later):
    // awaited, not guessed with a fixed pause.
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (LAST_HEAD.get() == null || !LAST_HEAD.get().contains(first)) {
      assertThat(System.nanoTime()).as("the first request reached the backend").isLessThan(deadline);
      Thread.sleep(2);
    }
    RawTls.Answers b = exchange(single, "127.0.76.3", get(second, singleToken, true));
    assertThat(parse(a.get(10, TimeUnit.SECONDS).text()).get(0).body()).isEqualTo("ok");
    assertThat(b.text()).as("the other client's answer").doesNotContain("evil!");
    if (second.equals("/api/mine")) {
      assertThat(b.text()).contains("seen GET " + second + " HTTP/1.1");
    } else {
      // Vert.x's client fails the waiting request when the unasked answer arrives (502): not a leak, but not an
      // answer either.
      assertThat(RawTls.statuses(b.text())).containsAnyOf(200, 502);
    }
  }

  /**
   * An HTTP/1.0 answer with both Content-Length and chunked transfer coding: Netty reads the chunks (it drops the
   * length only for HTTP/1.1). The length must not reach the client beside a body of another length: the client
   * would read the rest as the answer to its next request.
   */
  @ParameterizedTest(name = "{0} then {1}")
  @CsvSource({"/api/http10-both, /api/after", "/api/%68ttp10-both, /api/%61fter"})
  void anHttp10AnswerWithLengthAndChunksKeepsTheClientInStep(String first, String second) throws Exception {
    RawTls.Answers a = RawTls.exchangeOctets("127.0.76.6", gw.gateway.publicPort(),
        get(first, token, false) + get(second, token, true));
    List<Response> responses = parse(a.text());
    assertThat(responses).as(a.text()).hasSizeLessThanOrEqualTo(2);
    if (responses.get(0).status() == 200) {
      assertThat(responses.get(0).body()).startsWith("ok");
    }
    assertThat(responses).as(a.text()).hasSize(2);
    assertThat(responses.get(1).body()).isEqualTo("seen GET " + second + " HTTP/1.1");
  }

  /**
   * A Host header that is not a host and port (Vert.x cannot parse it; the router answers 400) must not reach
   * the backend on the direct path either, where {@code public.allowed-hosts} checked only the part before its
   * last colon.
   */
  @ParameterizedTest(name = "{0} Host: {1}")
  @CsvSource({"/api/host, localhost:evil.example", "/api/%68ost, localhost:evil.example"})
  void aHostThatIsNotAnAuthorityIsRefusedOnBothPaths(String path, String host) throws Exception {
    LAST_HEAD.set(null);
    RawTls.Answers a = RawTls.exchangeOctets("127.0.76.7", gw.gateway.publicPort(), "GET " + path
        + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n");
    assertThat(RawTls.statuses(a.text())).containsExactly(400);
    assertThat(LAST_HEAD.get()).as("nothing reached the backend").isNull();
  }

  /**
   * A HEAD the gateway answers itself with an error (the backend dropped it: 502) gets a head without a body, as
   * any answer to HEAD (RFC 9110 9.3.2): a body after it would be read by the client as the answer to the request
   * it pipelined behind, or sent next on the same connection.
   */
  @ParameterizedTest(name = "HEAD {0} then {1}")
  @CsvSource({"/api/drop, /api/after", "/api/%64rop, /api/%61fter"})
  void anErrorAnswerToHeadHasNoBody(String first, String second) throws Exception {
    RawTls.Answers a = RawTls.exchangeOctets("127.0.76.8", gw.gateway.publicPort(),
        "HEAD " + first + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token + "\r\n\r\n"
            + get(second, token, true));
    String text = a.text();
    assertThat(text).as(text).startsWith("HTTP/1.1 502 ");
    int headEnd = text.indexOf("\r\n\r\n") + 4;
    assertThat(text.substring(headEnd)).as("what follows the answer to HEAD: " + text).startsWith("HTTP/1.1 200 ");
    assertThat(parse(text.substring(headEnd)).get(0).body()).isEqualTo("seen GET " + second + " HTTP/1.1");
  }

  /**
   * A backend status line whose number is not an HTTP status (three digits, 100 to 599; Netty's decoder reads any
   * number) gets the client a 502 on the direct path as on the router's, and the backend connection is not used
   * again; relayed, the client got "HTTP/1.1 2000" or "HTTP/1.1 99", a head its parser refuses.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"/api/status-2000", "/api/status-099", "/api/status-600", "/api/%73tatus-2000", "/api/%73tatus-600"})
  void aBackendStatusOutsideTheRangeIsA502OnBothPaths(String path) throws Exception {
    RawTls.Answers a = RawTls.exchangeOctets("127.0.76.9", gw.gateway.publicPort(),
        get(path, token, false) + get("/api/after", token, true));
    List<Response> responses = parse(a.text());
    assertThat(responses).as(a.text()).isNotEmpty();
    assertThat(responses.get(0).status()).as(a.text()).isEqualTo(502);
    assertThat(a.text()).as("the backend's body is not relayed").doesNotContain("odd!");
    if (responses.size() > 1) {
      assertThat(responses.get(1).body()).isEqualTo("seen GET /api/after HTTP/1.1");
    }
  }

  /**
   * A backend whose answer breaks within the read that brought its head (a chunk size that is not hex right after a
   * chunked head): nothing of the answer has gone to the client, which gets a clean 502 on both paths, as on the
   * router's (ResponseRelay), and its next request is answered. Before, the direct path dropped the connection with
   * no byte of an answer (its head, written but not flushed, went with the close) and logged the request as a 200.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"/api/bad-chunk", "/api/%62ad-chunk"})
  void anAnswerBrokenInTheReadOfItsHeadIsA502OnBothPaths(String path) throws Exception {
    RawTls.Answers a = RawTls.exchangeOctets("127.0.76.10", gw.gateway.publicPort(),
        get(path, token, false) + get("/api/after", token, true));
    assertThat(a.text()).as(a.text()).startsWith("HTTP/1.1 502 ");
    List<Response> responses = parse(a.text());
    assertThat(a.text()).as("nothing of the backend's answer is relayed").doesNotContain("odd!", "backend=cookie");
    if (responses.size() > 1) {
      assertThat(responses.get(1).body()).isEqualTo("seen GET /api/after HTTP/1.1");
    }
  }

  /**
   * A client that stops reading a long answer, then leaves: the gateway stops reading from the backend
   * (back-pressure: the backend's writes stall), and once the client has gone, that paused backend connection,
   * half way through its answer, is closed, not given back to the pool, where the one connection of {@code single}
   * would have handed the rest of the body to the next request as its answer.
   */
  @ParameterizedTest(name = "{0} then {1}")
  @CsvSource({"/api/huge, /api/after", "/api/%68uge, /api/%61fter"})
  void aPausedBackendConnectionIsClosedWhenItsClientLeaves(String path, String after) throws Exception {
    HUGE_STALLED.set(new CompletableFuture<>());
    HUGE_CLOSED.set(new CompletableFuture<>());
    try (java.net.Socket plain = new java.net.Socket()) {
      plain.setReceiveBufferSize(8192);
      plain.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName("127.0.76.11"), 0));
      plain.connect(new java.net.InetSocketAddress("127.0.0.1", single.gateway.publicPort()), 5000);
      plain.setSoTimeout(10_000);
      try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) com.timereg.gateway.testsupport.TrustAllTls.context().getSocketFactory()
          .createSocket(plain, "localhost", 0, true)) {
        socket.getOutputStream().write(get(path, singleToken, false).getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        byte[] first = new byte[4096];
        int n = socket.getInputStream().read(first);
        assertThat(new String(first, 0, Math.max(n, 0), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200 ");
        // Reads no more: the answer backs up to the backend, whose writes stall.
        HUGE_STALLED.get().get(30, TimeUnit.SECONDS);
      }
    }
    HUGE_CLOSED.get().get(10, TimeUnit.SECONDS);
    RawTls.Answers next = exchange(single, "127.0.76.12", get(after, singleToken, true));
    assertThat(parse(next.text()).get(0).body()).as(next.text()).isEqualTo("seen GET " + after + " HTTP/1.1");
  }

  /**
   * An answer that has no body whatever its headers say (to HEAD; a 204; a 304) but comes with five octets of one:
   * the client gets the head alone, and the request it pipelined behind gets its own answer, not those octets.
   * The gateway that reads them with the head closes the backend connection (DirectBackend.release: unread bytes),
   * as the router's client does.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"HEAD, /api/nobody-head, 200", "GET, /api/nobody-204, 204", "GET, /api/nobody-304, 304",
      "HEAD, /api/%6Eobody-head, 200", "GET, /api/%6Eobody-204, 204", "GET, /api/%6Eobody-304, 304"})
  void anAnswerWithoutABodyThatComesWithOneRelaysNoBody(String method, String path, int status) throws Exception {
    RawTls.Answers a = RawTls.exchangeOctets("127.0.76.13", single.gateway.publicPort(),
        method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + singleToken + "\r\n\r\n"
            + get("/api/after", singleToken, true));
    String text = a.text();
    assertThat(text).as(text).startsWith("HTTP/1.1 " + status + " ").doesNotContain("evil!");
    String next = text.substring(text.indexOf("\r\n\r\n") + 4);
    assertThat(next).as("what follows the first answer: " + text).startsWith("HTTP/1.1 200 ");
    assertThat(parse(next).get(0).body()).isEqualTo("seen GET /api/after HTTP/1.1");
  }

  private static RawTls.Answers exchange(E2eGateway g, String source, String requests) {
    try {
      return RawTls.exchangeOctets(source, g.gateway.publicPort(), requests);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String get(String path, String bearer, boolean close) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + bearer + "\r\n"
        + (close ? "Connection: close\r\n" : "") + "\r\n";
  }

  record Response(int status, String body) {}

  /** The answers in {@code text}, framed as an HTTP/1.1 client frames them (Content-Length or chunked; GETs only). */
  static List<Response> parse(String text) {
    List<Response> out = new ArrayList<>();
    int at = 0;
    while (at < text.length()) {
      int end = text.indexOf("\r\n\r\n", at);
      if (end < 0) {
        break;
      }
      String[] lines = text.substring(at, end).split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      long length = -1;
      boolean chunked = false;
      for (int i = 1; i < lines.length; i++) {
        String line = lines[i].toLowerCase(Locale.ROOT);
        if (line.startsWith("content-length:")) {
          length = Long.parseLong(line.substring(15).trim());
        } else if (line.startsWith("transfer-encoding:") && line.contains("chunked")) {
          chunked = true;
        }
      }
      at = end + 4;
      StringBuilder body = new StringBuilder();
      if (status == 204 || status == 304 || status < 200) {
        // no body
      } else if (chunked) {
        while (true) {
          int eol = text.indexOf("\r\n", at);
          int size = Integer.parseInt(text.substring(at, eol).trim(), 16);
          at = eol + 2;
          if (size == 0) {
            at = text.indexOf("\r\n", at) + 2;
            break;
          }
          body.append(text, at, at + size);
          at += size + 2;
        }
      } else if (length >= 0) {
        body.append(text, at, (int) Math.min(text.length(), at + length));
        at += (int) length;
      } else {
        body.append(text.substring(at));
        at = text.length();
      }
      out.add(new Response(status, body.toString()));
    }
    return out;
  }

  /** The raw backend: one request at a time per connection, heads only (every request here is a GET). */
  private static void backend(NetSocket socket) {
    StringBuilder received = new StringBuilder();
    socket.handler(data -> {
      received.append(data.toString(StandardCharsets.ISO_8859_1));
      int end;
      while ((end = received.indexOf("\r\n\r\n")) >= 0) {
        String head = received.substring(0, end);
        received.delete(0, end + 4);
        LAST_HEAD.set(head);
        String line = head.substring(0, head.indexOf("\r\n"));
        if (line.contains("xtra-slow ")) {
          vertx.setTimer(400, t -> socket.write(ok("ok") + EVIL));
        } else if (line.contains("xtra ")) {
          socket.write(ok("ok") + EVIL);
        } else if (line.contains("tatus-")) {
          String code = line.substring(line.indexOf("tatus-") + 6, line.lastIndexOf(' '));
          socket.write("HTTP/1.1 " + code + " Odd\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nodd!");
        } else if (line.contains("obody-")) {
          String code = line.contains("-204 ") ? "204 No Content" : line.contains("-304 ") ? "304 Not Modified" : "200 OK";
          socket.write("HTTP/1.1 " + code + "\r\nContent-Type: text/plain\r\nContent-Length: " + EVIL.length()
              + "\r\n\r\n" + EVIL);
        } else if (line.contains("uge ")) {
          socket.closeHandler(closed -> HUGE_CLOSED.get().complete(null));
          socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1073741824\r\n\r\n");
          pump(socket, io.vertx.core.buffer.Buffer.buffer(new byte[65536]));
        } else if (line.contains("ad-chunk ")) {
          socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie: backend=cookie\r\n"
              + "Transfer-Encoding: chunked\r\n\r\nzz\r\nodd!\r\n0\r\n\r\n");
        } else if (line.contains("rop ")) {
          socket.close();
        } else if (line.contains("ttp10-both ")) {
          String chunk = "ok" + EVIL;
          socket.write("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
              + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(chunk.length()) + "\r\n" + chunk
              + "\r\n0\r\n\r\n");
        } else {
          socket.write(ok("seen " + line));
        }
      }
    });
  }

  /** Writes {@code block} for as long as the connection takes it; stalled 300 ms, it says so (HUGE_STALLED). */
  private static void pump(NetSocket socket, io.vertx.core.buffer.Buffer block) {
    while (!socket.writeQueueFull()) {
      socket.write(block);
    }
    long stalled = vertx.setTimer(300, t -> HUGE_STALLED.get().complete(null));
    socket.drainHandler(drained -> {
      vertx.cancelTimer(stalled);
      pump(socket, block);
    });
  }

  private static String ok(String body) {
    return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
  }
}
