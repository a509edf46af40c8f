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

@ExtendWith(VertxExtension.class)
class ProxyBodyLimitTest {
  private static final int LIMIT = 64 * 1024;
  private ProxyTestBed bed;

  private HttpClient client(Vertx vertx) {
    int port = await(new DemoBackend(vertx, DemoBackend.Options.DEFAULTS).start("127.0.0.1", 0));
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ProxyTestBed.ALICE), false, LIMIT);
    return bed.client(HttpVersion.HTTP_1_1);
  }

  @Test
  void aBodyAtTheLimitIsForwarded(Vertx vertx) {
    HttpClient client = client(vertx);
    Buffer body = Buffer.buffer(new byte[LIMIT]);
    Reply reply = bed.reply(() -> client.request(HttpMethod.POST, "/api/timesheets").compose(r -> r.send(body)));
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body().length()).isEqualTo(LIMIT);
  }

  @Test
  void aDeclaredLengthOverTheLimitIsRefusedWith413BeforeTheBackend(Vertx vertx) {
    HttpClient client = client(vertx);
    Buffer body = Buffer.buffer(new byte[LIMIT + 1]);
    Reply reply = bed.reply(() -> client.request(HttpMethod.POST, "/api/timesheets").compose(r -> r.send(body)));
    assertThat(reply.status()).isEqualTo(413);
    assertThat(reply.body().toString()).contains("payload_too_large");
  }

  @Test
  void aChunkedBodyGrowingOverTheLimitIsRefusedWith413(Vertx vertx) {
    HttpClient client = client(vertx);
    Reply reply = bed.reply(() -> client.request(HttpMethod.POST, "/api/timesheets").compose(request -> {
      request.setChunked(true);
      for (int i = 0; i < 4; i++) {
        request.write(Buffer.buffer(new byte[LIMIT / 2]));
      }
      request.end();
      return request.response();
    }));
    assertThat(reply.status()).isEqualTo(413);
  }

  /**
   * A chunked upload that grows past the limit is answered 413 and its connection closed, as a declared length
   * over the limit is: the rest of the body is not wanted, and reading it on would let one client stream
   * without end through a gateway that has already said no.
   */
  @Test
  void aChunkedBodyGrowingOverTheLimitClosesTheConnectionAfterThe413(Vertx vertx, VertxTestContext test) {
    int port = await(new DemoBackend(vertx, DemoBackend.Options.DEFAULTS).start("127.0.0.1", 0));
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ProxyTestBed.ALICE), false,
        LIMIT);
    Buffer received = Buffer.buffer();
    io.vertx.core.net.NetClient raw = vertx.createNetClient(new io.vertx.core.net.NetClientOptions().setSsl(true)
        .setTrustOptions(bed.certificate.trustOptions()).setHostnameVerificationAlgorithm(""));
    String chunk = Integer.toHexString(LIMIT) + "\r\n" + "x".repeat(LIMIT) + "\r\n";

    bed.context.runOnContext(start -> raw.connect(bed.port, "localhost").onComplete(test.succeeding(socket -> {
      socket.handler(received::appendBuffer);
      socket.closeHandler(closed -> test.verify(() -> {
        assertThat(received.toString()).startsWith("HTTP/1.1 413").contains("payload_too_large");
        test.completeNow();
      }));
      // Two chunks over the limit and no last chunk: the upload goes on as far as the gateway is concerned.
      socket.write("POST /api/timesheets HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
          + "Accept: application/json\r\n\r\n" + chunk + chunk);
    })));
  }
}
