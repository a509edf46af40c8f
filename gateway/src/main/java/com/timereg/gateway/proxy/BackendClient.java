package com.timereg.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP clients that carry proxied traffic to the backend, built once from {@link ProxySettings}.
 * With HTTP/2 enabled a second, HTTP/1.1-only client carries WebSocket upgrades, which HTTP/2 cannot.
 */
final class BackendClient {

  private final ProxySettings settings;
  private final HttpClient requests;
  private final HttpClient upgrades;
  /**
   * Exchanges admitted to an HTTP/1.1 client, waiting for a connection or holding one, whose client has not left:
   * at most {@code max-connections + max-wait-queue}, beyond that 503 pool_busy. Vert.x's own wait queue has no
   * way to take a waiter out: one whose client left kept its place until a connection came (and was handed
   * straight back) or the connect timeout, and live clients got 503 meanwhile. So the bound is counted here,
   * where a departed client gives its place up at once ({@link #release}); Vert.x's queue, unbounded, only keeps
   * the order. An HTTP/2 client multiplexes, so what is counted there is the exchanges still waiting for a stream
   * (a connection being opened, or every stream taken), with the same bound; an exchange gives that place back
   * as soon as it has its stream ({@link #holdsPlaceToTheEnd}).
   */
  private final AtomicInteger admittedRequests;
  private final AtomicInteger admittedUpgrades;
  private final int admissions;

  BackendClient(Vertx vertx, ProxySettings settings) {
    this.settings = settings;
    this.admissions = settings.maxConnectionsPerEventLoop() + settings.maxWaitQueuePerEventLoop();
    PoolOptions unbounded = pool(settings, -1);
    this.requests = client(vertx, options(settings, settings.http2()), unbounded);
    this.upgrades = settings.http2() ? client(vertx, options(settings, false), unbounded) : requests;
    this.admittedUpgrades = new AtomicInteger();
    this.admittedRequests = settings.http2() ? new AtomicInteger() : admittedUpgrades;
  }

  /**
   * Whether a place {@link #admit} gave is held until the exchange ends (an HTTP/1.1 connection is the
   * exchange's until then), or only until it has its backend request (an HTTP/2 stream: the place was one in
   * the wait for it).
   */
  boolean holdsPlaceToTheEnd(boolean upgrade) {
    return upgrade || !settings.http2();
  }

  private static PoolOptions pool(ProxySettings settings, int maxWaitQueue) {
    return new PoolOptions()
        .setHttp1MaxSize(settings.maxConnectionsPerEventLoop())
        .setHttp2MaxSize(settings.maxConnectionsPerEventLoop())
        .setMaxWaitQueueSize(maxWaitQueue);
  }

  /**
   * Takes a place among the exchanges of the client; false when the pool and its wait queue are full. A true
   * answer is given back with {@link #release} once: when the exchange ends, or for HTTP/2 when it has its stream.
   */
  boolean admit(boolean upgrade) {
    AtomicInteger admitted = upgrade ? admittedUpgrades : admittedRequests;
    if (admitted.incrementAndGet() > admissions) {
      admitted.decrementAndGet();
      return false;
    }
    return true;
  }

  /** Gives back a place {@link #admit} gave: the exchange ended or has its stream, or its client left while it waited. */
  void release(boolean upgrade) {
    (upgrade ? admittedUpgrades : admittedRequests).decrementAndGet();
  }

  private static HttpClient client(Vertx vertx, HttpClientOptions options, PoolOptions pool) {
    return vertx.httpClientBuilder().with(options).with(pool).withConnectHandler(InterimAnswers::install).build();
  }

  /** A request to the backend; fails if no connection is available within the connect timeout. */
  Future<HttpClientRequest> request(HttpMethod method, String uri, boolean upgrade) {
    RequestOptions options = new RequestOptions()
        .setMethod(method)
        .setHost(settings.backendHost())
        .setPort(settings.backendPort())
        .setSsl(settings.backendTls())
        .setURI(uri)
        .setFollowRedirects(false)
        // Bounds the wait for a pooled connection as well as the TCP connect below it.
        .setConnectTimeout(settings.connectTimeout().toMillis());
    try {
      return (upgrade ? upgrades : requests).request(options);
    } catch (IllegalStateException closed) {
      // The client was closed (the gateway stopping) while a request was about to be sent again: an answer,
      // not an exception thrown into the event loop that leaves the request without one.
      return Future.failedFuture(closed);
    }
  }

  Future<Void> close() {
    return upgrades == requests ? requests.close() : Future.all(requests.close(), upgrades.close()).mapEmpty();
  }

  private static HttpClientOptions options(ProxySettings settings, boolean http2) {
    int connectMillis = (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis());
    HttpClientOptions options = new HttpClientOptions()
        .setName("gateway-proxy")
        .setConnectTimeout(connectMillis)
        .setKeepAlive(true)
        .setKeepAliveTimeout((int) settings.keepAliveTimeout().toSeconds())
        .setHttp2KeepAliveTimeout((int) settings.keepAliveTimeout().toSeconds())
        .setPipelining(false)
        .setTcpNoDelay(true)
        // Bodies pass through as the backend encoded them.
        .setDecompressionSupported(false);
    if (settings.backendTls()) {
      options.setSsl(true)
          .setVerifyHost(true)
          .setTrustAll(false)
          .setSslHandshakeTimeout(settings.connectTimeout().toMillis())
          .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
      settings.trustPem().ifPresent(pem ->
          options.setTrustOptions(new PemTrustOptions().addCertPath(pem.toString())));
      if (settings.clientCertPem().isPresent()) {
        options.setKeyCertOptions(new PemKeyCertOptions()
            .setCertPath(settings.clientCertPem().get().toString())
            .setKeyPath(settings.clientKeyPem().orElseThrow().toString()));
      }
    }
    if (http2) {
      options.setProtocolVersion(HttpVersion.HTTP_2);
      if (settings.backendTls()) {
        options.setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1));
      } else {
        // Prior knowledge: a cleartext backend configured for h2 speaks it from the first byte.
        options.setHttp2ClearTextUpgrade(false);
      }
    } else {
      options.setProtocolVersion(HttpVersion.HTTP_1_1);
    }
    return options;
  }
}
