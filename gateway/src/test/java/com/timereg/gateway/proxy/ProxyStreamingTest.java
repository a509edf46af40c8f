package com.timereg.gateway.proxy;

import static com.timereg.gateway.proxy.ProxyTestBed.ALICE;
import static com.timereg.gateway.proxy.ProxyTestBed.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.demo.DemoBackend;
import com.timereg.gateway.proxy.ProxyTestBed.Reply;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bodies pass through whole and are streamed, never held by the gateway. */
@ExtendWith(VertxExtension.class)
class ProxyStreamingTest {

  private static final int FIVE_MB = 5 * 1024 * 1024;
  private static final int CHUNK = 64 * 1024;

  private ProxyTestBed bed;

  private ProxyTestBed proxyToDemoBackend(Vertx vertx) {
    int port = await(new DemoBackend(vertx, DemoBackend.Options.DEFAULTS).start("127.0.0.1", 0));
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));
    return bed;
  }

  private static Buffer randomBytes(int size) {
    byte[] bytes = new byte[size];
    new Random(42).nextBytes(bytes);
    return Buffer.buffer(bytes);
  }

  @Test
  void fiveMegabyteUploadArrivesIntact(Vertx vertx) {
    HttpClient client = proxyToDemoBackend(vertx).client(HttpVersion.HTTP_1_1);
    Buffer body = randomBytes(FIVE_MB);

    Reply reply = bed.reply(() -> client.request(HttpMethod.POST, "/api/timesheets")
        .compose(request -> request.putHeader("Content-Type", "application/octet-stream").send(body)));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.response().getHeader("Content-Length")).isEqualTo(Integer.toString(FIVE_MB));
    assertThat(reply.body()).isEqualTo(body);
  }

  @Test
  void chunkedUploadArrivesIntactAndComesBackChunked(Vertx vertx) {
    HttpClient client = proxyToDemoBackend(vertx).client(HttpVersion.HTTP_1_1);
    Buffer body = randomBytes(FIVE_MB);

    Reply reply = bed.reply(() -> client.request(HttpMethod.POST, "/api/timesheets").compose(request -> {
      request.setChunked(true);
      for (int offset = 0; offset < FIVE_MB; offset += CHUNK) {
        request.write(body.slice(offset, Math.min(FIVE_MB, offset + CHUNK)));
      }
      request.end();
      return request.response();
    }));

    assertThat(reply.response().getHeader("Transfer-Encoding")).isEqualTo("chunked");
    assertThat(reply.body()).isEqualTo(body);
  }

  @Test
  void http2UploadWithoutContentLengthReachesAnHttp11BackendIntact(Vertx vertx) {
    HttpClient h2 = proxyToDemoBackend(vertx).client(HttpVersion.HTTP_2);
    Buffer body = randomBytes(300 * 1024);

    Reply reply = bed.reply(() -> h2.request(HttpMethod.POST, "/api/timesheets").compose(request -> {
      request.setChunked(true);
      request.write(body.slice(0, 1000));
      request.end(body.slice(1000, body.length()));
      return request.response();
    }));

    assertThat(reply.response().version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(reply.body()).isEqualTo(body);
  }

  @Test
  void fiveMegabyteDownloadArrivesIntact(Vertx vertx) {
    HttpClient client = proxyToDemoBackend(vertx).client(HttpVersion.HTTP_1_1);

    Reply reply = bed.reply(() -> client.request(HttpMethod.GET, "/api/blob?size=" + FIVE_MB).compose(r -> r.send()));

    assertThat(reply.response().getHeader("Content-Length")).isEqualTo(Integer.toString(FIVE_MB));
    assertThat(reply.body().length()).isEqualTo(FIVE_MB);
    for (int i = 0; i < FIVE_MB; i++) {
      if ((reply.body().getByte(i) & 0xff) != i % 251) {
        throw new AssertionError("byte " + i + " differs from the backend's");
      }
    }
  }

  @Test
  void clientReceivesTheFirstBytesBeforeTheBackendSendsTheRest(Vertx vertx, VertxTestContext test) {
    long total = CHUNK + 2L * 1024 * 1024;
    Promise<Void> clientHasFirstBytes = Promise.promise();
    int port = await(vertx.createHttpServer().requestHandler(request -> {
      Context backend = vertx.getOrCreateContext();
      HttpServerResponse response = request.response().setChunked(true);
      response.write(Buffer.buffer(new byte[CHUNK]));
      // The rest exists only once the client has bytes: a proxy that buffered the body would wait forever.
      clientHasFirstBytes.future().onSuccess(v -> backend.runOnContext(x ->
          response.end(Buffer.buffer(new byte[(int) (total - CHUNK)]))));
    }).listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));
    AtomicLong received = new AtomicLong();

    HttpClient client = bed.client(HttpVersion.HTTP_1_1);
    bed.context.runOnContext(start -> client.request(HttpMethod.GET, "/stream").compose(HttpClientRequest::send)
        .onComplete(test.succeeding(response -> {
          response.handler(data -> {
            received.addAndGet(data.length());
            clientHasFirstBytes.tryComplete();
          });
          response.endHandler(end -> test.verify(() -> {
            assertThat(received.get()).isEqualTo(total);
            test.completeNow();
          }));
        })));
  }

  @Test
  void backendReceivesTheFirstBytesBeforeTheClientSendsTheRest(Vertx vertx, VertxTestContext test) {
    long total = CHUNK + 2L * 1024 * 1024;
    Promise<Void> backendHasFirstBytes = Promise.promise();
    int port = await(vertx.createHttpServer().requestHandler(request -> {
      AtomicLong received = new AtomicLong();
      request.handler(data -> {
        received.addAndGet(data.length());
        backendHasFirstBytes.tryComplete();
      });
      request.endHandler(end -> request.response().end(Long.toString(received.get())));
    }).listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));

    HttpClient client = bed.client(HttpVersion.HTTP_1_1);
    bed.context.runOnContext(start -> client.request(HttpMethod.POST, "/upload").onComplete(test.succeeding(request -> {
      request.putHeader("Content-Length", Long.toString(total));
      request.write(Buffer.buffer(new byte[CHUNK]));
      // The rest is sent only once the backend has bytes: a proxy that buffered the upload would wait forever.
      backendHasFirstBytes.future().onSuccess(v -> bed.context.runOnContext(x ->
          request.end(Buffer.buffer(new byte[(int) (total - CHUNK)]))));
      request.response().compose(response -> response.body()).onComplete(test.succeeding(body -> test.verify(() -> {
        assertThat(body.toString()).isEqualTo(Long.toString(total));
        test.completeNow();
      })));
    })));
  }

  @Test
  void expectContinueIsAnsweredOnceTheBackendIsReady(Vertx vertx) {
    HttpClient client = proxyToDemoBackend(vertx).client(HttpVersion.HTTP_1_1);

    Reply reply = bed.reply(() -> client.request(HttpMethod.POST, "/api/timesheets").compose(request -> {
      request.putHeader("Expect", "100-continue").putHeader("Content-Length", "11")
          .putHeader("Content-Type", "text/plain");
      request.continueHandler(v -> request.end("hello world"));
      request.sendHead();
      return request.response();
    }));

    assertThat(reply.body().toString()).isEqualTo("hello world");
  }

  @Test
  void headAndNoContentResponsesCarryNoBody(Vertx vertx) {
    int port = await(vertx.createHttpServer().requestHandler(request -> {
      if (request.method() == HttpMethod.HEAD) {
        request.response().putHeader("Content-Length", "1000").end();
      } else {
        request.response().setStatusCode(204).end();
      }
    }).listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));
    HttpClient client = bed.client(HttpVersion.HTTP_1_1);

    Reply head = bed.reply(() -> client.request(HttpMethod.HEAD, "/report.pdf").compose(HttpClientRequest::send));
    Reply noContent = bed.reply(() -> client.request(HttpMethod.DELETE, "/api/timesheets/1").compose(HttpClientRequest::send));

    assertThat(head.response().getHeader("Content-Length")).isEqualTo("1000");
    assertThat(head.body().length()).isZero();
    assertThat(noContent.status()).isEqualTo(204);
    assertThat(noContent.response().getHeader("Transfer-Encoding")).isNull();
  }

  /**
   * A body that arrives with its end goes out with it: over HTTP/2 one DATA frame that ends the stream, not a
   * DATA frame and then an empty one (two TLS records and two system calls per answer), as Vert.x's pipe sent.
   */
  @Test
  void anHttp2AnswerThatArrivesWholeGoesOutAsOneDataFrameWithItsEnd(Vertx vertx) throws Exception {
    int port = await(vertx.createHttpServer().requestHandler(request -> request.response()
        .putHeader("Content-Type", "application/json").end("{\"hours\":7.5}")).listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));

    java.util.List<Object> frames = Http2Frames.get(bed.port, "/api/timesheets");

    assertThat(frames).as("frames").hasSize(2);
    assertThat(frames.get(0)).isInstanceOfSatisfying(io.netty.handler.codec.http2.Http2HeadersFrame.class, h -> {
      assertThat(h.headers().status().toString()).isEqualTo("200");
      assertThat(h.isEndStream()).isFalse();
    });
    assertThat(frames.get(1)).isInstanceOfSatisfying(Http2Frames.Data.class, d -> {
      assertThat(d.text()).isEqualTo("{\"hours\":7.5}");
      assertThat(d.endStream()).isTrue();
    });
  }

  /** Held back only to the end of the event loop's turn: a chunk the backend sends alone reaches the client alone. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"})
  void aSmallChunkReachesTheClientBeforeTheBackendSendsTheNext(HttpVersion version, Vertx vertx) {
    Promise<Void> clientHasFirstChunk = Promise.promise();
    int port = await(vertx.createHttpServer().requestHandler(request -> {
      Context backend = vertx.getOrCreateContext();
      HttpServerResponse response = request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
      response.write("data: first\n\n");
      // The next event exists only once the client has the first: a relay that held it would wait forever.
      clientHasFirstChunk.future().onSuccess(v -> backend.runOnContext(x -> response.end("data: second\n\n")));
    }).listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));
    StringBuilder received = new StringBuilder();

    HttpClient client = bed.client(version);
    // Fails after Await's limit when the first chunk is held back.
    bed.call(() -> client.request(HttpMethod.GET, "/events").compose(HttpClientRequest::send).compose(response -> {
      Promise<Void> end = Promise.promise();
      response.handler(data -> {
        received.append(data.toString());
        if (received.toString().equals("data: first\n\n")) {
          clientHasFirstChunk.tryComplete();
        }
      });
      response.endHandler(end::tryComplete);
      response.exceptionHandler(end::tryFail);
      return end.future();
    }));
    assertThat(received.toString()).isEqualTo("data: first\n\ndata: second\n\n");
  }
}
