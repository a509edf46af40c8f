package com.timereg.gateway.testsupport;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;

/** Real HTTPS backends for proxy tests. */
public final class TlsBackends {
  private TlsBackends() {}

  /**
   * An HTTPS backend on 127.0.0.1 (ALPN h2 and http/1.1) that presents {@code server} and insists on a client
   * certificate signed as {@code client}; it answers with the protocol it spoke and the X-Authenticated-User it
   * received, e.g. {@code "http/1.1 alice@example.com"}. Returns its port.
   */
  public static int mutualTls(Vertx vertx, SelfSignedCertificate server, SelfSignedCertificate client) {
    return Await.await(vertx.createHttpServer(new HttpServerOptions()
            .setSsl(true)
            .setUseAlpn(true)
            .setKeyCertOptions(server.keyCertOptions())
            .setTrustOptions(client.trustOptions())
            .setClientAuth(ClientAuth.REQUIRED))
        .requestHandler(request -> request.response().end(request.version().alpnName() + " "
            + request.getHeader("x-authenticated-user")))
        .listen(0, "127.0.0.1")).actualPort();
  }
}
