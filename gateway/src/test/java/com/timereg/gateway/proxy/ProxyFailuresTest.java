package com.timereg.gateway.proxy;

import static com.timereg.gateway.proxy.ProxyTestBed.ALICE;
import static com.timereg.gateway.proxy.ProxyTestBed.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.proxy.ProxyTestBed.Reply;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** When the backend fails, the client promptly gets a small safe answer and the meters say why. */
@ExtendWith(VertxExtension.class)
class ProxyFailuresTest {

  private static final Duration SHORT_RESPONSE_TIMEOUT = Duration.ofMillis(300);

  private ProxyTestBed bed;
  /** A field, not a local: Vert.x closes a client that becomes unreachable, even mid-connection. */
  private NetClient raw;

  private static double failures(SimpleMeterRegistry registry, ProxyFailure kind) {
    return registry.get(MicrometerProxyMetrics.FAILURES).tag("kind", kind.metricName()).counter().count();
  }

  private static long requests(SimpleMeterRegistry registry, String statusClass) {
    return registry.get(MicrometerProxyMetrics.REQUESTS).tag("status", statusClass).timer().count();
  }

  private static Future<HttpClientResponse> get(HttpClient client, String uri, String accept) {
    return client.request(HttpMethod.GET, uri).compose(request -> request.putHeader("Accept", accept).send());
  }

  /** A backend that accepts requests and reads their bodies but never answers. */
  private static int silentBackend(Vertx vertx) {
    return await(vertx.createHttpServer().requestHandler(request -> request.handler(data -> {}))
        .listen(0, "127.0.0.1")).actualPort();
  }

  /**
   * An answer relayed whole is a success, whatever the protocol. Over HTTP/2 the stream closes as its last
   * frame is written, before Vert.x reports the response's end; that close must not be taken for a client
   * that left (which counted every HTTP/2 answer as a failure and reset its backend request).
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"})
  void aWholeAnswerCountsAsCompletedNotAsAClientThatLeft(HttpVersion version, Vertx vertx) {
    int port = await(vertx.createHttpServer().requestHandler(request -> request.response().end("{\"ok\":true}"))
        .listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));
    HttpClient client = bed.client(version);

    for (int i = 0; i < 3; i++) {
      Reply reply = bed.reply(() -> client.request(HttpMethod.GET, "/api/me").compose(HttpClientRequest::send));
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.response().version()).isEqualTo(version);
    }

    // Metrics are recorded as the exchange ends, which may follow the client's last byte by a moment.
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    while (requests(bed.registry, "2xx") + requests(bed.registry, "4xx") < 3 && System.nanoTime() < deadline) {
      await(vertx.timer(10));
    }
    assertThat(requests(bed.registry, "2xx")).isEqualTo(3);
    assertThat(requests(bed.registry, "4xx")).isZero();
    assertThat(failures(bed.registry, ProxyFailure.CLIENT_CLOSED)).isZero();
  }

  @Test
  void backendDownAnswers502WithJsonForApiClients(Vertx vertx) {
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(ProxyTestBed.closedPort(vertx)),
        ProxyTestBed.signedIn(ALICE));

    Reply reply = bed.reply(() -> get(bed.client(HttpVersion.HTTP_1_1), "/api/me", "application/json"));

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.response().getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(reply.body().toJsonObject().getString("error")).isEqualTo("bad_gateway");
    assertThat(reply.body().toString()).doesNotContain("Exception", "127.0.0.1");
    assertThat(failures(bed.registry, ProxyFailure.CONNECT_FAILED)).isEqualTo(1.0);
    assertThat(requests(bed.registry, "5xx")).isEqualTo(1);
  }

  @Test
  void backendDownAnswers502WithAPageForBrowsers(Vertx vertx) {
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(ProxyTestBed.closedPort(vertx)),
        ProxyTestBed.signedIn(ALICE));

    Reply reply = bed.reply(() -> get(bed.client(HttpVersion.HTTP_2), "/", "text/html,application/xhtml+xml,*/*;q=0.8"));

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.response().getHeader("Content-Type")).startsWith("text/html");
    assertThat(reply.body().toString()).contains("<h1>Bad Gateway</h1>");
    // A page the gateway renders, with the headers of its other pages: nothing loads, nobody frames it.
    assertThat(reply.response().getHeader("Content-Security-Policy")).isEqualTo("default-src 'none'; frame-ancestors 'none'");
    assertThat(reply.response().getHeader("X-Frame-Options")).isEqualTo("DENY");
  }

  @Test
  void silentBackendAnswers504AtTheResponseTimeout(Vertx vertx) {
    int port = silentBackend(vertx);
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port).withResponseTimeout(SHORT_RESPONSE_TIMEOUT),
        ProxyTestBed.signedIn(ALICE));
    long started = System.nanoTime();

    Reply reply = bed.reply(() -> get(bed.client(HttpVersion.HTTP_1_1), "/api/me", "application/json"));

    assertThat(reply.status()).isEqualTo(504);
    assertThat(reply.body().toJsonObject().getString("error")).isEqualTo("gateway_timeout");
    // Not a speed assertion: the timer must not fire before its time.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(SHORT_RESPONSE_TIMEOUT);
    assertThat(failures(bed.registry, ProxyFailure.RESPONSE_TIMEOUT)).isEqualTo(1.0);
  }

  @Test
  void responseTimeoutCountsFromTheEndOfTheUpload(Vertx vertx) {
    int port = silentBackend(vertx);
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port).withResponseTimeout(SHORT_RESPONSE_TIMEOUT),
        ProxyTestBed.signedIn(ALICE));

    Reply reply = bed.reply(() -> bed.client(HttpVersion.HTTP_1_1).request(HttpMethod.POST, "/api/timesheets")
        .compose(request -> request.send(Buffer.buffer(new byte[512 * 1024]))));

    assertThat(reply.status()).isEqualTo(504);
  }

  @Test
  void backendClosingBeforeItsResponseAnswers502(Vertx vertx) {
    int port = await(vertx.createHttpServer().requestHandler(request -> request.connection().close())
        .listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));

    Reply reply = bed.reply(() -> get(bed.client(HttpVersion.HTTP_1_1), "/api/me", "application/json"));

    assertThat(reply.status()).isEqualTo(502);
    assertThat(failures(bed.registry, ProxyFailure.CONNECTION_RESET)).isEqualTo(1.0);
  }

  @Test
  void backendCuttingItsBodyShortCutsTheClientsConnection(Vertx vertx, VertxTestContext test) {
    int port = await(vertx.createHttpServer().requestHandler(request -> {
      request.response().putHeader("Content-Length", "100000").write(Buffer.buffer(new byte[1000]));
      vertx.setTimer(50, id -> request.connection().close());
    }).listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));

    HttpClient client = bed.client(HttpVersion.HTTP_1_1);
    bed.context.runOnContext(start -> client.request(HttpMethod.GET, "/api/blob").compose(HttpClientRequest::send)
        .compose(response -> {
          assertThat(response.statusCode()).isEqualTo(200);
          return response.body();
        })
        .onComplete(test.failing(cut -> test.verify(() -> {
          assertThat(failures(bed.registry, ProxyFailure.CONNECTION_RESET)).isEqualTo(1.0);
          test.completeNow();
        }))));
  }

  /**
   * Over HTTP/2 the cut is a RST_STREAM with an error code (INTERNAL_ERROR): with NO_ERROR, which says the server
   * is done with a complete answer (RFC 9113 8.1), a client may take the first 1000 of 100000 bytes for the whole
   * answer. Before, the stream was reset with NO_ERROR.
   */
  @Test
  void backendCuttingItsBodyShortResetsAnHttp2StreamWithInternalError(Vertx vertx) throws Exception {
    int port = await(vertx.createHttpServer().requestHandler(request -> {
      request.response().putHeader("Content-Length", "100000").write(Buffer.buffer(new byte[1000]));
      vertx.setTimer(50, id -> request.connection().close());
    }).listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));

    java.util.List<Object> frames = Http2Frames.get(bed.port, "/api/blob");

    assertThat(frames.get(0)).as(frames.toString())
        .isInstanceOfSatisfying(io.netty.handler.codec.http2.Http2HeadersFrame.class,
            h -> assertThat(h.headers().status().toString()).isEqualTo("200"));
    assertThat(frames.get(frames.size() - 1)).as(frames.toString())
        .isInstanceOfSatisfying(io.netty.handler.codec.http2.Http2ResetFrame.class,
            r -> assertThat(r.errorCode()).isEqualTo(io.netty.handler.codec.http2.Http2Error.INTERNAL_ERROR.code()));
    assertThat(failures(bed.registry, ProxyFailure.CONNECTION_RESET)).isEqualTo(1.0);
  }

  @Test
  void fullPoolAndWaitQueueShedLoadWith503(Vertx vertx) {
    Promise<Void> firstRequestArrived = Promise.promise();
    int port = await(vertx.createHttpServer().requestHandler(request -> firstRequestArrived.tryComplete())
        .listen(0, "127.0.0.1")).actualPort();
    ProxySettings oneConnection = ProxyTestBed.oneConnection(port, 0, Duration.ofSeconds(5));
    bed = ProxyTestBed.start(vertx, oneConnection, ProxyTestBed.signedIn(ALICE));
    HttpClient client = bed.client(HttpVersion.HTTP_2);
    bed.context.runOnContext(start -> get(client, "/holds-the-only-connection", "application/json"));
    await(firstRequestArrived.future());

    Reply reply = bed.reply(() -> get(client, "/api/me", "application/json"));

    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.response().getHeader("Retry-After")).isEqualTo("1");
    assertThat(failures(bed.registry, ProxyFailure.POOL_BUSY)).isEqualTo(1.0);
  }

  @Test
  void bodyReadByAnEarlierStepIsRefusedRatherThanForwardedEmpty(Vertx vertx) {
    int port = await(new com.timereg.gateway.demo.DemoBackend(vertx,
        com.timereg.gateway.demo.DemoBackend.Options.DEFAULTS).start("127.0.0.1", 0));
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE), true);
    HttpClient client = bed.client(HttpVersion.HTTP_1_1);

    Reply upload = bed.reply(() -> client.request(HttpMethod.POST, "/api/timesheets")
        .compose(request -> request.send(Buffer.buffer("{\"hours\":8}"))));
    Reply read = bed.reply(() -> get(client, "/api/timesheets", "application/json"));

    assertThat(upload.status()).isEqualTo(500);
    assertThat(failures(bed.registry, ProxyFailure.BODY_CONSUMED)).isEqualTo(1.0);
    assertThat(read.status()).isEqualTo(200);
  }

  @Test
  void transferCodingOtherThanChunkedIsRefusedAndTheConnectionClosed(Vertx vertx, VertxTestContext test) {
    int port = await(new com.timereg.gateway.demo.DemoBackend(vertx,
        com.timereg.gateway.demo.DemoBackend.Options.DEFAULTS).start("127.0.0.1", 0));
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));
    Buffer received = Buffer.buffer();
    raw = vertx.createNetClient(new NetClientOptions().setSsl(true)
        .setTrustOptions(bed.certificate.trustOptions()).setHostnameVerificationAlgorithm(""));

    bed.context.runOnContext(start -> raw.connect(bed.port, "localhost").onComplete(test.succeeding(socket -> {
      socket.handler(received::appendBuffer);
      socket.closeHandler(closed -> test.verify(() -> {
        assertThat(received.toString()).startsWith("HTTP/1.1 400").contains("\"error\":\"bad_request\"");
        assertThat(failures(bed.registry, ProxyFailure.BAD_FRAMING)).isEqualTo(1.0);
        test.completeNow();
      }));
      socket.write("POST /api/timesheets HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip, chunked\r\n"
          + "Accept: application/json\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    })));
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"})
  void clientLeavingAbortsTheBackendRequest(HttpVersion version, Vertx vertx) {
    Promise<Void> backendGotRequest = Promise.promise();
    Promise<Void> backendConnectionClosed = Promise.promise();
    int port = await(vertx.createHttpServer().requestHandler(request -> {
      request.connection().closeHandler(closed -> backendConnectionClosed.tryComplete());
      backendGotRequest.tryComplete();
    }).listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));
    HttpClient client = bed.client(version);
    HttpClientRequest request = bed.call(() -> client.request(HttpMethod.GET, "/api/slow-report"));
    bed.context.runOnContext(start -> request.send());
    await(backendGotRequest.future());

    bed.call(() -> request.connection().close());

    await(backendConnectionClosed.future());
    assertThat(failures(bed.registry, ProxyFailure.CLIENT_CLOSED)).isEqualTo(1.0);
  }

  @Test
  void successfulExchangesAreTimedByStatusClass(Vertx vertx) {
    int port = await(vertx.createHttpServer().requestHandler(request -> request.response().setStatusCode(404).end())
        .listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));

    Reply reply = bed.reply(() -> get(bed.client(HttpVersion.HTTP_1_1), "/missing", "application/json"));

    assertThat(reply.status()).isEqualTo(404);
    assertThat(requests(bed.registry, "4xx")).isEqualTo(1);
  }

  /**
   * A backend may answer before it has read the whole upload (RFC 9112 9.3: an early 401, 404 or 413). Its
   * connection then carries a request that never ended: reusing it would put the next request inside that
   * body, and keeping it took it from the pool for good (the rest of the body was dropped and the request
   * never ended, so the pool's only connection stayed taken and the next request waited for a connection
   * until the connect timeout: 504).
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"})
  void aBackendAnsweringBeforeTheUploadEndsGivesUpItsConnection(HttpVersion version, Vertx vertx) {
    int port = await(vertx.createHttpServer().requestHandler(request -> request.response().end("answered " + request.path()))
        .listen(0, "127.0.0.1")).actualPort();
    ProxySettings oneConnection = ProxyTestBed.oneConnection(port, 10, Duration.ofSeconds(2));
    bed = ProxyTestBed.start(vertx, oneConnection, ProxyTestBed.signedIn(ALICE));
    HttpClient client = bed.client(version);
    HttpClientRequest upload = bed.call(() -> client.request(HttpMethod.POST, "/api/upload"));

    Reply early = bed.call(() -> {
      // An HTTP/2 client is asked to stop sending once answered (a reset with NO_ERROR).
      upload.exceptionHandler(stopped -> {});
      upload.setChunked(true);
      upload.write("the first part of the body");
      return upload.response().compose(r -> r.body().map(body -> new Reply(r, body)));
    });
    // The rest of the upload, after the answer; the gateway may close an HTTP/1.1 connection instead.
    bed.call(() -> upload.end("and the rest").otherwiseEmpty());
    Reply next = bed.reply(() -> bed.client(version).request(HttpMethod.GET, "/api/next")
        .compose(HttpClientRequest::send));

    assertThat(early.status()).isEqualTo(200);
    assertThat(early.body().toString()).isEqualTo("answered /api/upload");
    assertThat(next.status()).isEqualTo(200);
    assertThat(next.body().toString()).isEqualTo("answered /api/next");
  }

  /**
   * After an early answer, an HTTP/2 client is asked to stop sending (RFC 9113 8.1: RST_STREAM with NO_ERROR
   * after the complete response). Before, the gateway read and dropped the rest of the stream's body for as
   * long as the client cared to send it, beyond {@code public.max-body-size}.
   */
  @Test
  void anHttp2UploadAnsweredEarlyIsAskedToStop(Vertx vertx) {
    int port = await(vertx.createHttpServer().requestHandler(request -> request.response().end("answered"))
        .listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));
    HttpClient client = bed.client(HttpVersion.HTTP_2);
    HttpClientRequest upload = bed.call(() -> client.request(HttpMethod.POST, "/api/upload"));
    Promise<Throwable> stopped = Promise.promise();

    Reply early = bed.call(() -> {
      upload.exceptionHandler(stopped::tryComplete);
      upload.setChunked(true);
      upload.write("the first part of a body that does not end");
      return upload.response().compose(r -> r.body().map(body -> new Reply(r, body)));
    });
    Throwable reset = await(stopped.future());

    assertThat(early.status()).isEqualTo(200);
    assertThat(reset).isInstanceOfSatisfying(io.vertx.core.http.StreamResetException.class,
        e -> assertThat(e.getCode()).isZero());
  }

  /**
   * A client that leaves while its request waits for a backend connection is a client_closed at DEBUG, like
   * any other. The connection the pool hands over afterwards is returned unused; Vert.x logged that at ERROR
   * ("Stream reset") for every such request, since the returned request had no exception handler: under a
   * full pool, one line per impatient client.
   */
  @Test
  void aClientThatLeavesWhileWaitingForAConnectionLogsNoError(Vertx vertx) {
    Promise<io.vertx.core.http.HttpServerRequest> held = Promise.promise();
    int port = await(vertx.createHttpServer().requestHandler(request -> {
      if (request.path().equals("/api/hold")) {
        held.tryComplete(request);
      } else {
        request.response().end("answered " + request.path());
      }
    }).listen(0, "127.0.0.1")).actualPort();
    ProxySettings oneConnection = ProxyTestBed.oneConnection(port, 1, Duration.ofSeconds(30));
    bed = ProxyTestBed.start(vertx, oneConnection, ProxyTestBed.signedIn(ALICE));
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> captured =
        new ch.qos.logback.core.read.ListAppender<>();
    captured.start();
    root.addAppender(captured);
    try {
      HttpClient client = bed.client(HttpVersion.HTTP_2);
      bed.context.runOnContext(start -> get(client, "/api/hold", "application/json"));
      io.vertx.core.http.HttpServerRequest holding = await(held.future());
      HttpClientRequest waiting = bed.call(() -> client.request(HttpMethod.GET, "/api/waiting"));
      bed.context.runOnContext(start -> waiting.send());
      // The wait queue holds one: a 503 for the request after it shows that it waits for the connection.
      assertThat(bed.reply(() -> get(client, "/api/probe", "application/json")).status()).isEqualTo(503);

      bed.call(() -> waiting.reset());
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
      while (failures(bed.registry, ProxyFailure.CLIENT_CLOSED) < 1 && System.nanoTime() < deadline) {
        await(vertx.timer(10));
      }
      holding.response().end("released");
      Reply after = bed.reply(() -> get(client, "/api/after", "application/json"));

      assertThat(failures(bed.registry, ProxyFailure.CLIENT_CLOSED)).isEqualTo(1.0);
      assertThat(after.body().toString()).isEqualTo("answered /api/after");
      synchronized (captured) {
        assertThat(captured.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN))
            .extracting(e -> e.getLoggerName() + ": " + e.getFormattedMessage())
            .filteredOn(line -> !line.contains("pool_busy"))
            .isEmpty();
      }
    } finally {
      root.detachAppender(captured);
    }
  }

  /**
   * An HTTP/2 client that resets its stream (RST_STREAM, the connection stays) in the middle of its upload or of
   * the download: the backend connection carrying half a message is closed, not given back to the pool, and
   * its slot is free for the next request on the same client connection (one backend connection here).
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
  void anHttp2StreamResetMidBodyClosesItsBackendConnectionAndFreesTheSlot(boolean midUpload, Vertx vertx) {
    Promise<Void> firstArrived = Promise.promise();
    Promise<Void> firstConnectionClosed = Promise.promise();
    int port = await(vertx.createHttpServer().requestHandler(request -> {
      if (request.path().equals("/api/first")) {
        request.connection().closeHandler(closed -> firstConnectionClosed.tryComplete());
        request.handler(data -> firstArrived.tryComplete());
        if (!midUpload) {
          request.response().setChunked(true).write("the first part of a download that does not end");
        }
      } else {
        request.response().end("answered " + request.path());
      }
    }).listen(0, "127.0.0.1")).actualPort();
    ProxySettings oneConnection = ProxyTestBed.oneConnection(port, 10, Duration.ofSeconds(2));
    bed = ProxyTestBed.start(vertx, oneConnection, ProxyTestBed.signedIn(ALICE));
    HttpClient client = bed.client(HttpVersion.HTTP_2);
    HttpClientRequest first = bed.call(() -> client.request(HttpMethod.POST, "/api/first"));
    Promise<Void> downloading = Promise.promise();
    bed.context.runOnContext(start -> {
      first.exceptionHandler(reset -> {});
      first.setChunked(true);
      if (midUpload) {
        first.write("the first part of an upload that does not end");
      } else {
        first.end("a whole upload");
      }
      first.response().onSuccess(r -> r.handler(data -> downloading.tryComplete()));
    });
    await(firstArrived.future());
    if (!midUpload) {
      await(downloading.future());
    }

    bed.call(() -> first.reset(8));

    await(firstConnectionClosed.future());
    Reply next = bed.reply(() -> get(client, "/api/next", "application/json"));
    assertThat(next.status()).isEqualTo(200);
    assertThat(next.body().toString()).isEqualTo("answered /api/next");
    assertThat(failures(bed.registry, ProxyFailure.CLIENT_CLOSED)).isEqualTo(1.0);
  }
}
