package com.timereg.gateway.proxy;

import static com.timereg.gateway.proxy.ProxyTestBed.ALICE;
import static com.timereg.gateway.proxy.ProxyTestBed.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.proxy.ProxyTestBed.Reply;
import com.timereg.gateway.testsupport.TrustAllTls;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The router's path (ProxyHandler) when it answers before the request's body was wanted or read. */
@ExtendWith(VertxExtension.class)
class RouterEarlyAnswerTest {

  private ProxyTestBed bed;

  /**
   * A request that expects 100 Continue, answered 502 before any 100 went out (the backend refuses connections):
   * its client has not sent the body and need not. Kept open, the connection waited for those bytes and took the
   * client's next request for them (or the body a client sends late for a request). The answer says
   * {@code Connection: close} and the connection closes after it.
   */
  @Test
  void anExpectContinueRequestAnsweredBeforeAny100ClosesTheConnection(Vertx vertx) throws Exception {
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(ProxyTestBed.closedPort(vertx)),
        ProxyTestBed.signedIn(ALICE));
    try (SSLSocket socket = open(bed.port)) {
      write(socket, "POST /api/timesheets HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
          + "Content-Length: 48\r\nExpect: 100-continue\r\n\r\n");

      String answer = readUntilClosed(socket);

      assertThat(answer).startsWith("HTTP/1.1 502 ");
      assertThat(answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase()).contains("connection: close");
    }
  }

  /**
   * A client that leaves while its request waits for the only backend connection gives up its place in the
   * wait queue (of one): the next request waits there and is answered, instead of a 503 pool_busy while the
   * departed client's place is kept until a connection comes for nobody. The direct path does the same.
   */
  @Test
  void aClientThatLeavesWhileQueuedGivesUpItsPlaceInTheWaitQueue(Vertx vertx) {
    Promise<HttpServerRequest> held = Promise.promise();
    int port = await(vertx.createHttpServer().requestHandler(request -> {
      if (request.path().equals("/api/hold")) {
        held.tryComplete(request);
      } else {
        request.response().end("answered " + request.path());
      }
    }).listen(0, "127.0.0.1")).actualPort();
    ProxySettings oneConnection = ProxyTestBed.oneConnection(port, 1, Duration.ofSeconds(30));
    bed = ProxyTestBed.start(vertx, oneConnection, ProxyTestBed.signedIn(ALICE));
    HttpClient client = bed.client(HttpVersion.HTTP_2);
    bed.context.runOnContext(start -> get(client, "/api/hold"));
    HttpServerRequest holding = await(held.future());
    HttpClientRequest leaving = bed.call(() -> client.request(HttpMethod.GET, "/api/leaves"));
    bed.context.runOnContext(start -> leaving.send());
    // The queue holds one: a 503 for the request after it shows that it waits for the connection.
    assertThat(bed.reply(() -> get(client, "/api/probe")).status()).isEqualTo(503);
    bed.call(() -> leaving.reset());
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (failures(ProxyFailure.CLIENT_CLOSED) < 1 && System.nanoTime() < deadline) {
      await(vertx.timer(10));
    }
    assertThat(failures(ProxyFailure.CLIENT_CLOSED)).isEqualTo(1.0);

    Future<Reply> next = bed.call(() -> Future.succeededFuture(
        get(client, "/api/next").compose(r -> r.body().map(body -> new Reply(r, body)))));
    // The queue holds the next request now, so one more is refused (and shows that the next one waits).
    assertThat(bed.reply(() -> get(client, "/api/one-more")).status()).isEqualTo(503);
    bed.context.runOnContext(release -> holding.response().end("released"));

    Reply answered = await(next);
    assertThat(answered.status()).as("waited for the connection, not refused").isEqualTo(200);
    assertThat(answered.body().toString()).isEqualTo("answered /api/next");
  }

  /**
   * With {@code backend.http2}, the stream Vert.x gives a request whose client left while it waited is given back.
   * Vert.x returns a stream to the pool when the stream closes, and one reset before its head was written never
   * opened, so never closed: the connection lost that stream for good, and with it (the backend allows one stream
   * at a time here) every later request, which waited for the connect timeout and got 504.
   */
  @Test
  void anHttp2StreamObtainedForAClientThatLeftIsGivenBack(Vertx vertx) {
    Promise<HttpServerRequest> held = Promise.promise();
    int port = await(http2Backend(vertx, held)).actualPort();
    bed = ProxyTestBed.start(vertx, http2Settings(port, Duration.ofSeconds(3)), ProxyTestBed.signedIn(ALICE));
    HttpClient client = bed.client(HttpVersion.HTTP_2);
    Future<Reply> holdReply = replyLater(client, "/api/hold");
    HttpServerRequest holding = await(held.future());
    java.util.List<HttpClientRequest> leaving = new java.util.ArrayList<>();
    for (int i = 0; i < 2; i++) {
      HttpClientRequest r = bed.call(() -> client.request(HttpMethod.GET, "/api/leaves"));
      bed.context.runOnContext(start -> r.send());
      leaving.add(r);
    }
    // Refused: the wait queue is full, so the leaving requests before it wait for the stream (or were refused).
    assertThat(bed.reply(() -> get(client, "/api/probe")).status()).isEqualTo(503);
    int waiting = 3 - (int) failures(ProxyFailure.POOL_BUSY);
    assertThat(waiting).isPositive();
    leaving.forEach(r -> bed.context.runOnContext(leave -> r.reset()));
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (failures(ProxyFailure.CLIENT_CLOSED) < waiting && System.nanoTime() < deadline) {
      await(vertx.timer(10));
    }
    assertThat(failures(ProxyFailure.CLIENT_CLOSED)).isEqualTo(waiting);
    bed.context.runOnContext(release -> holding.response().end("released"));
    assertThat(await(holdReply).status()).isEqualTo(200);

    Reply after = await(replyLater(client, "/api/after"));
    assertThat(after.status()).as("the stream came back to the pool").isEqualTo(200);
    assertThat(after.body().toString()).isEqualTo("answered /api/after");
    assertThat(failures(ProxyFailure.CONNECT_TIMEOUT)).isZero();
  }

  /**
   * With {@code backend.http2}, a request whose client leaves after the gateway got it a stream and before any of its
   * body came (here after the 100 Continue the gateway sends once it has the stream): Vert.x writes an HTTP/2
   * request's head with its first bytes, so the exchange's reset came before any head, the stream never opened, never
   * closed, and was never given back. The backend allows one stream at a time here, so every later request waited for
   * the connect timeout and got 504.
   */
  @Test
  void anHttp2StreamWhoseClientLeftBeforeItsBodyIsGivenBack(Vertx vertx) {
    int port = await(http2Backend(vertx, Promise.promise())).actualPort();
    bed = ProxyTestBed.start(vertx, http2Settings(port, Duration.ofSeconds(3)), ProxyTestBed.signedIn(ALICE));
    HttpClient client = bed.client(HttpVersion.HTTP_2);
    Promise<Void> continued = Promise.promise();
    HttpClientRequest leaving = bed.call(() -> client.request(HttpMethod.POST, "/api/upload"));
    bed.context.runOnContext(start -> {
      leaving.putHeader("Content-Type", "text/plain").putHeader("Content-Length", "48")
          .putHeader("Expect", "100-continue").continueHandler(v -> continued.tryComplete());
      leaving.sendHead();
    });
    await(continued.future());
    bed.context.runOnContext(leave -> leaving.reset());
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (failures(ProxyFailure.CLIENT_CLOSED) < 1 && System.nanoTime() < deadline) {
      await(vertx.timer(10));
    }
    assertThat(failures(ProxyFailure.CLIENT_CLOSED)).isEqualTo(1.0);

    Reply after = await(replyLater(client, "/api/after"));
    assertThat(after.status()).as("the stream came back to the pool").isEqualTo(200);
    assertThat(after.body().toString()).isEqualTo("answered /api/after");
    assertThat(failures(ProxyFailure.CONNECT_TIMEOUT)).isZero();
  }

  private static Future<io.vertx.core.http.HttpServer> http2Backend(Vertx vertx, Promise<HttpServerRequest> held) {
    return vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions()
        .setInitialSettings(new io.vertx.core.http.Http2Settings().setMaxConcurrentStreams(1)))
        .requestHandler(request -> {
          if (request.path().equals("/api/hold")) {
            held.tryComplete(request);
          } else {
            request.response().end("answered " + request.path());
          }
        }).listen(0, "127.0.0.1");
  }

  /** HTTP/2 to the backend (prior knowledge), one connection, a wait queue of one. */
  private static ProxySettings http2Settings(int port, Duration connectTimeout) {
    return new ProxySettings(java.net.URI.create("http://127.0.0.1:" + port), java.util.Optional.empty(),
        java.util.Optional.empty(), java.util.Optional.empty(), 1, 1, true, connectTimeout, Duration.ofSeconds(30),
        Duration.ofSeconds(15), java.util.List.of(), ProxySettings.DEFAULT_GATEWAY_COOKIE_PREFIX);
  }

  /**
   * The same with {@code backend.http2}: requests wait for a stream of the only backend connection (the backend
   * allows one at a time). Clients that left while waiting kept their places in Vert.x's wait queue, so a live
   * client got 503 pool_busy until a stream came for each departed one. They give their places up at once, and the
   * backend is never asked for an answer nobody reads.
   */
  @Test
  void anHttp2BackendsWaitersWhoseClientsLeftGiveUpTheirPlaces(Vertx vertx) {
    Promise<HttpServerRequest> held = Promise.promise();
    java.util.List<String> reached = new java.util.concurrent.CopyOnWriteArrayList<>();
    int port = await(vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions()
        .setInitialSettings(new io.vertx.core.http.Http2Settings().setMaxConcurrentStreams(1)))
        .requestHandler(request -> {
          reached.add(request.version() + " " + request.path());
          if (request.path().equals("/api/hold")) {
            held.tryComplete(request);
          } else {
            request.response().end("answered " + request.path());
          }
        }).listen(0, "127.0.0.1")).actualPort();
    ProxySettings http2 = new ProxySettings(java.net.URI.create("http://127.0.0.1:" + port), java.util.Optional.empty(),
        java.util.Optional.empty(), java.util.Optional.empty(), 1, 1, true, Duration.ofSeconds(30),
        Duration.ofSeconds(30), Duration.ofSeconds(15), java.util.List.of(), ProxySettings.DEFAULT_GATEWAY_COOKIE_PREFIX);
    bed = ProxyTestBed.start(vertx, http2, ProxyTestBed.signedIn(ALICE));
    HttpClient client = bed.client(HttpVersion.HTTP_2);
    bed.context.runOnContext(start -> get(client, "/api/hold"));
    HttpServerRequest holding = await(held.future());
    assertThat(holding.version()).isEqualTo(HttpVersion.HTTP_2);
    int leavers = 4;
    java.util.List<HttpClientRequest> leaving = new java.util.ArrayList<>();
    for (int i = 0; i < leavers; i++) {
      HttpClientRequest r = bed.call(() -> client.request(HttpMethod.GET, "/api/leaves"));
      bed.context.runOnContext(start -> r.send());
      leaving.add(r);
    }
    // The queue is full: the probe, after them on the same connection, is refused.
    assertThat(bed.reply(() -> get(client, "/api/probe")).status()).isEqualTo(503);
    int waiting = leavers + 1 - (int) failures(ProxyFailure.POOL_BUSY);
    assertThat(waiting).as("requests waiting for a stream").isPositive();
    // Those refused have ended already; the others are still waiting.
    leaving.forEach(r -> bed.context.runOnContext(leave -> r.reset()));
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (failures(ProxyFailure.CLIENT_CLOSED) < waiting && System.nanoTime() < deadline) {
      await(vertx.timer(10));
    }
    assertThat(failures(ProxyFailure.CLIENT_CLOSED)).isEqualTo(waiting);

    Future<Reply> next = replyLater(client, "/api/next");
    Future<Reply> more = replyLater(client, "/api/more");
    // After them on the same connection: refused when the queue is full again, which shows they are in it.
    assertThat(await(replyLater(client, "/api/last")).status()).isEqualTo(503);
    bed.context.runOnContext(release -> holding.response().end("released"));

    Reply answered = await(next);
    assertThat(answered.status()).as("waited for a stream, not refused").isEqualTo(200);
    assertThat(answered.body().toString()).isEqualTo("answered /api/next");
    assertThat(await(more).status()).isEqualTo(200);
    // The departed clients' streams were cancelled at once (each is given back that way); every live one answered.
    assertThat(reached).as("what the backend was asked").startsWith("HTTP_2 /api/hold")
        .endsWith("HTTP_2 /api/next", "HTTP_2 /api/more");
  }

  /**
   * A HEAD the backend answers with 103 Early Hints first: the answer has no body (RFC 9110 9.3.2), and the
   * exchange ends with its head. Netty's client codec, under Vert.x's client, paired the 103 with the HEAD and
   * then waited for the 200's declared body, which never comes: the exchange never ended, and its backend
   * connection (the only one here) stayed taken, so the next request waited for it until the connect timeout.
   * The direct path has its own codec for this ({@code BackendCodec}).
   */
  @Test
  void aHeadAnsweredAfterEarlyHintsEndsAndGivesBackItsConnection(Vertx vertx) {
    int port = await(vertx.createNetServer().connectHandler(socket -> {
      StringBuilder received = new StringBuilder();
      socket.handler(data -> {
        received.append(data.toString(StandardCharsets.ISO_8859_1));
        int end;
        while ((end = received.indexOf("\r\n\r\n")) >= 0) {
          boolean head = received.toString().startsWith("HEAD ");
          received.delete(0, end + 4);
          socket.write(head
              ? "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                  + "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n"
              : "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
        }
      });
    }).listen(0, "127.0.0.1")).actualPort();
    ProxySettings oneConnection = ProxyTestBed.oneConnection(port, 1, Duration.ofSeconds(3));
    bed = ProxyTestBed.start(vertx, oneConnection, ProxyTestBed.signedIn(ALICE));
    HttpClient client = bed.client(HttpVersion.HTTP_2);

    Reply head = bed.reply(() -> client.request(HttpMethod.HEAD, "/api/timesheets").compose(r -> r.send()));
    Reply next = bed.reply(() -> get(client, "/api/next"));

    assertThat(head.status()).isEqualTo(200);
    assertThat(next.status()).as("the backend connection was given back").isEqualTo(200);
    assertThat(next.body().toString()).isEqualTo("hello");
    assertThat(failures(ProxyFailure.CONNECT_TIMEOUT)).isZero();
  }

  /**
   * A backend status line whose number is not an HTTP status (three digits, 100 to 599) gets the client a 502, as
   * any other answer the gateway cannot read; relayed, the client got "HTTP/1.1 2000" or {@code :status 99}, which
   * its parser refuses.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"2000", "099", "600"})
  void aBackendStatusOutsideTheRangeIsA502(String status, Vertx vertx) {
    int port = await(vertx.createNetServer().connectHandler(socket -> socket.handler(data -> {
      if (data.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
        socket.write("HTTP/1.1 " + status + " Odd\r\nContent-Length: 2\r\n\r\nok");
      }
    })).listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));
    for (HttpVersion version : new HttpVersion[] {HttpVersion.HTTP_1_1, HttpVersion.HTTP_2}) {
      HttpClient client = bed.client(version);

      Reply reply = bed.reply(() -> get(client, "/api/timesheets"));

      assertThat(reply.status()).as(version.name()).isEqualTo(502);
    }
  }

  private double failures(ProxyFailure kind) {
    return bed.registry.get(MicrometerProxyMetrics.FAILURES).tag("kind", kind.metricName()).counter().count();
  }

  private Future<Reply> replyLater(HttpClient client, String uri) {
    return bed.call(() -> Future.succeededFuture(
        get(client, uri).compose(r -> r.body().map(body -> new Reply(r, body)))));
  }

  private static Future<HttpClientResponse> get(HttpClient client, String uri) {
    return client.request(HttpMethod.GET, uri)
        .compose(request -> request.putHeader("Accept", "application/json").send());
  }

  static SSLSocket open(int port) throws Exception {
    Socket plain = new Socket();
    plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    plain.setSoTimeout(10_000);
    SSLSocket socket = (SSLSocket) TrustAllTls.context().getSocketFactory().createSocket(plain, "localhost", port,
        true);
    socket.setEnabledProtocols(new String[] {"TLSv1.3"});
    socket.startHandshake();
    return socket;
  }

  static void write(SSLSocket socket, String text) throws Exception {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  /** Everything the gateway sends until it closes the connection (the socket's read timeout fails the test). */
  static String readUntilClosed(SSLSocket socket) throws Exception {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        all.write(buffer, 0, n);
      }
    } catch (java.net.SocketTimeoutException e) {
      throw new AssertionError("the connection stayed open after: " + all.toString(StandardCharsets.ISO_8859_1), e);
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }
}
