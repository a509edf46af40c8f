package com.timereg.gateway.proxy;

import static com.timereg.gateway.proxy.ProxyTestBed.ALICE;
import static com.timereg.gateway.proxy.ProxyTestBed.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.demo.DemoBackend;
import com.timereg.gateway.proxy.ProxyTestBed.Reply;
import com.timereg.gateway.testsupport.TlsBackends;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** TLS and HTTP/2 towards the backend. */
@ExtendWith(VertxExtension.class)
class ProxyBackendTlsTest {

  private static final SelfSignedCertificate BACKEND = SelfSignedCertificate.create("localhost");
  private static final SelfSignedCertificate GATEWAY_CLIENT = SelfSignedCertificate.create("gateway");

  private ProxyTestBed bed;

  private static int mutualTlsBackend(Vertx vertx) {
    return TlsBackends.mutualTls(vertx, BACKEND, GATEWAY_CLIENT);
  }

  private static ProxySettings httpsTo(int port) {
    return ProxySettings.defaults(URI.create("https://localhost:" + port));
  }

  private static ProxySettings withPrivateCaAndClientCertificate(ProxySettings settings) {
    return settings.withTls(Optional.of(Path.of(BACKEND.certificatePath())),
        Optional.of(Path.of(GATEWAY_CLIENT.certificatePath())), Optional.of(Path.of(GATEWAY_CLIENT.privateKeyPath())));
  }

  @Test
  void httpsBackendWithPrivateCaAndClientCertificateIsReached(Vertx vertx) {
    int port = mutualTlsBackend(vertx);
    bed = ProxyTestBed.start(vertx, withPrivateCaAndClientCertificate(httpsTo(port)), ProxyTestBed.signedIn(ALICE));

    Reply reply = bed.reply(() -> bed.client(HttpVersion.HTTP_1_1).request(HttpMethod.GET, "/").compose(r -> r.send()));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body().toString()).isEqualTo("http/1.1 alice@example.com");
  }

  @Test
  void http2OverTlsIsNegotiatedWithTheBackendWhenEnabled(Vertx vertx) {
    int port = mutualTlsBackend(vertx);
    bed = ProxyTestBed.start(vertx, withPrivateCaAndClientCertificate(httpsTo(port)).withHttp2(true),
        ProxyTestBed.signedIn(ALICE));

    Reply reply = bed.reply(() -> bed.client(HttpVersion.HTTP_1_1).request(HttpMethod.GET, "/").compose(r -> r.send()));

    assertThat(reply.body().toString()).isEqualTo("h2 alice@example.com");
  }

  @Test
  void backendCertificateFromAnUntrustedIssuerAnswers502(Vertx vertx) {
    int port = mutualTlsBackend(vertx);
    bed = ProxyTestBed.start(vertx, httpsTo(port), ProxyTestBed.signedIn(ALICE));

    Reply reply = bed.reply(() -> bed.client(HttpVersion.HTTP_1_1).request(HttpMethod.GET, "/").compose(r -> r.send()));

    assertThat(reply.status()).isEqualTo(502);
    assertThat(bed.registry.get(MicrometerProxyMetrics.FAILURES).tag("kind", "tls_failed").counter().count())
        .isEqualTo(1.0);
  }

  @Test
  void cleartextHttp2BackendServesRequestsAndWebSocketsStillUpgrade(Vertx vertx, VertxTestContext test) {
    int port = await(new DemoBackend(vertx, DemoBackend.Options.DEFAULTS).start("127.0.0.1", 0));
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port).withHttp2(true), ProxyTestBed.signedIn(ALICE));

    Reply reply = bed.reply(() -> bed.client(HttpVersion.HTTP_1_1).request(HttpMethod.GET, "/api/me").compose(r -> r.send()));
    assertThat(reply.body().toJsonObject().getString("protocol")).isEqualTo("h2");

    WebSocketClient client = bed.webSocketClient();
    bed.context.runOnContext(start -> client.connect("/ws/echo").onComplete(test.succeeding(socket -> {
      socket.textMessageHandler(text -> test.verify(() -> {
        assertThat(text).isEqualTo("still HTTP/1.1 for upgrades");
        test.completeNow();
      }));
      socket.writeTextMessage("still HTTP/1.1 for upgrades");
    })));
  }
}
