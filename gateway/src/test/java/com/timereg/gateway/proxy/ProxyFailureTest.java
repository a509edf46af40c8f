package com.timereg.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClosedException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class ProxyFailureTest {

  @Test
  void mapsConnectFailuresToTheirKinds() {
    assertThat(ProxyFailure.ofConnect(new ConnectException("Connection refused"))).isEqualTo(ProxyFailure.CONNECT_FAILED);
    assertThat(ProxyFailure.ofConnect(new UnknownHostException("app"))).isEqualTo(ProxyFailure.CONNECT_FAILED);
    assertThat(ProxyFailure.ofConnect(new ConnectTimeoutException("timed out"))).isEqualTo(ProxyFailure.CONNECT_TIMEOUT);
    assertThat(ProxyFailure.ofConnect(new TimeoutException("pool"))).isEqualTo(ProxyFailure.CONNECT_TIMEOUT);
    assertThat(ProxyFailure.ofConnect(new ConnectionPoolTooBusyException("full"))).isEqualTo(ProxyFailure.POOL_BUSY);
    assertThat(ProxyFailure.ofConnect(new VertxException(new SSLHandshakeException("PKIX"))))
        .isEqualTo(ProxyFailure.TLS_FAILED);
  }

  @Test
  void mapsExchangeFailuresToTheirKinds() {
    assertThat(ProxyFailure.ofExchange(new ProxyFailure.ResponseTimeoutException(300)))
        .isEqualTo(ProxyFailure.RESPONSE_TIMEOUT);
    assertThat(ProxyFailure.ofExchange(new HttpClosedException("closed")))
        .isEqualTo(ProxyFailure.CONNECTION_RESET);
  }

  @Test
  void statusesFollowGatewayConventions() {
    assertThat(ProxyFailure.CONNECT_FAILED.status()).isEqualTo(502);
    assertThat(ProxyFailure.RESPONSE_TIMEOUT.status()).isEqualTo(504);
    assertThat(ProxyFailure.POOL_BUSY.status()).isEqualTo(503);
    assertThat(ProxyFailure.CONNECT_FAILED.upstream()).isTrue();
    assertThat(ProxyFailure.CLIENT_CLOSED.upstream()).isFalse();
    assertThat(ProxyFailure.BAD_FRAMING.upstream()).isFalse();
  }

  @Test
  void logsNameOnlyTheFirstPathSegment() {
    assertThat(com.timereg.gateway.accesslog.LoggedPath.firstSegment("/reset/MQ/c4ke5t-0123456789abcdef/")).isEqualTo("/reset/...");
    assertThat(com.timereg.gateway.accesslog.LoggedPath.firstSegment("/api")).isEqualTo("/api");
    assertThat(com.timereg.gateway.accesslog.LoggedPath.firstSegment("")).isEqualTo("/");
  }
}
