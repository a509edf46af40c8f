package com.timereg.gateway.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.netty.handler.ssl.SslContext;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's direct path: relays an HTTP/1.1 request that the connection's pipeline has already
 * authenticated straight from the client connection's Netty pipeline to a pooled backend connection and
 * the response back, without Vert.x's request, response and client objects. The same exchange as the
 * router's {@link ProxyHandler} (headers, statuses, bodies, timeouts, meters), at about half its CPU per
 * request (docs/benchmarks.md): the proxied path is what the gateway spends most of its time on.
 *
 * <p>Only for an HTTP/1.1 backend (plain or TLS, verified like the router's client: the configured CA or the
 * JDK's trust store, host name, optional client certificate); with HTTP/2 to the backend every request takes
 * the router's path. Which requests may come here is the caller's decision (edge.ConnectionFastPath).
 * Confined to the event loop of the listener instance that created it.
 */
public final class DirectProxy {
  private static final Logger LOG = LoggerFactory.getLogger(DirectProxy.class);

  /** A request on its way: the client side feeds it the request body and connection events. */
  public interface Exchange {
    /** A piece of the request body; the last one is a {@code LastHttpContent}. Takes ownership. */
    void clientContent(HttpContent content);

    /** The end of a read from the client: what was forwarded goes out. */
    void clientReadComplete();

    void clientWritabilityChanged();

    /** The client connection closed. */
    void clientClosed();

    /**
     * Close the client connection once this exchange has answered (the listener is stopping): the answer
     * says {@code Connection: close} unless its head has already gone out.
     */
    void closeAfterAnswer();
  }

  /** Told once when an exchange has ended. */
  public interface Ended {
    /**
     * The backend's answer is about to be written, past the connection's HTTP encoder (see {@link ResponseHeads}):
     * no {@code HttpResponse} goes by the pipeline's handlers for it. At most once, before {@link #ended}; not for
     * the exchange's own error answers, which are written as {@code HttpResponse}s through the caller's handler.
     */
    default void answering() {}

    /**
     * @param closing the exchange is closing the client connection (nothing more will be answered on it)
     * @param status  the status answered; 499 when the client went away before the answer's head was sent
     * @param bytes   body bytes sent to the client
     */
    void ended(boolean closing, int status, long bytes);
  }

  /**
   * What the caller established about one request.
   *
   * @param clientAddress     for X-Forwarded-For
   * @param tls               the client connection is TLS, for X-Forwarded-Proto
   * @param host              the request's Host, for X-Forwarded-Host (null if none)
   * @param identity          who the gateway vouches for
   * @param dropAuthorization the Authorization header carried the gateway's own token
   * @param contentLength     the request's Content-Length, or -1 without one (no body)
   * @param closeAfter        close the client connection after the response
   * @param hsts              Strict-Transport-Security value for the response, or null
   */
  public record Request(String clientAddress, boolean tls, String host, ForwardedIdentity identity, boolean dropAuthorization,
      long contentLength, boolean closeAfter, String hsts) {}

  final ProxySettings settings;
  final ProxyMetrics metrics;
  final ExchangeSupport support;
  final DirectBackend backend;
  final ResponseDeadlines deadlines;
  final String hostHeader;
  final ResponseHeads heads;
  private final long maxBodyBytes;

  private DirectProxy(ExchangeSupport support, DirectBackend backend) {
    this.support = support;
    this.settings = support.settings;
    this.metrics = support.metrics;
    this.maxBodyBytes = support.maxBodyBytes;
    this.backend = backend;
    this.heads = new ResponseHeads(settings.gatewayCookiePrefix());
    this.deadlines = new ResponseDeadlines(
        (delay, task) -> backend.loop().schedule(task, delay, TimeUnit.MILLISECONDS),
        settings.responseTimeout().toMillis());
    int defaultPort = settings.backendTls() ? 443 : 80;
    this.hostHeader = settings.backendPort() == defaultPort
        ? settings.backendHost() : settings.backendHost() + ":" + settings.backendPort();
  }

  /**
   * The direct path for {@code support}'s backend, bound to the calling context's event loop; empty when the
   * backend speaks HTTP/2, or when called outside an event-loop context.
   */
  static Optional<DirectProxy> create(Vertx vertx, ExchangeSupport support) {
    ProxySettings settings = support.settings;
    ContextInternal context = ContextInternal.current();
    if (settings.http2() || context == null || !context.isEventLoopContext()
        || !(vertx instanceof VertxInternal internal)) {
      return Optional.empty();
    }
    SslContext tls;
    try {
      tls = DirectBackend.tlsContext(settings);
    } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
      // The router's client reads the same files its own way; let it decide, on every request.
      LOG.warn("backend TLS files not usable for the direct path ({}); all requests take the router", e.toString());
      return Optional.empty();
    }
    DirectBackend backend = new DirectBackend(context.nettyEventLoop(), internal.transport().channelFactory(false),
        internal.nameResolver().nettyAddressResolverGroup(), settings, tls);
    return Optional.of(new DirectProxy(support, backend));
  }

  /** Whether a body of this declared length may be relayed (larger ones are the router's to refuse with 413). */
  public boolean accepts(long contentLength) {
    return contentLength <= maxBodyBytes;
  }

  /**
   * Starts relaying {@code request}, whose head the caller has consumed; its body follows through
   * {@link Exchange#clientContent}. Returns null, having done nothing, when the client connection is not on
   * this proxy's event loop.
   *
   * @param client the context of the caller's handler, which sits right after the connection's HTTP encoder
   * @param wire   the context of that encoder: the answer's bytes are written from there, past it (the encoder
   *               has nothing of its own in flight meanwhile); errors before the answer's head go through it
   * @param onEnd  told once when the exchange has ended (response sent, or failed), on the event loop
   */
  public Exchange forward(ChannelHandlerContext client, ChannelHandlerContext wire, HttpRequest request, Request facts,
      Ended onEnd) {
    if (client.channel().eventLoop() != backend.loop()) {
      return null;
    }
    long start = System.nanoTime();
    HeaderHygiene.Forwarding forwarding = new HeaderHygiene.Forwarding(
        facts.clientAddress(), facts.tls() ? "https" : "http", facts.host(), facts.identity(), facts.dropAuthorization(), false);
    DirectExchange exchange = new DirectExchange(this, client, wire, request, forwarding, facts.contentLength(),
        facts.closeAfter(), facts.hsts(), onEnd, start);
    exchange.start();
    return exchange;
  }

  void close() {
    backend.close();
  }
}
