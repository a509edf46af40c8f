package com.timereg.gateway.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;

/**
 * The direct path's HTTP/1.1 connections to the backend (plain or TLS), owned by one event loop: the loop of
 * the listener instance whose {@link ProxyHandler} owns it, which is also the loop of every client
 * connection that uses it, so nothing here is shared between threads.
 *
 * <p>The same limits as the Vert.x client's pool: at most {@code maxConnectionsPerEventLoop}
 * connections, at most {@code maxWaitQueuePerEventLoop} exchanges waiting for one (beyond that the
 * answer is 503), no wait longer than the connect timeout, idle connections closed after the keep-alive
 * timeout. The most recently used idle connection is reused first, so surplus ones age out.
 *
 * <p>Idle connections wait in the order they were given back, so the oldest is always first: one timer, armed
 * for the moment the oldest reaches the keep-alive timeout, closes every connection that has, then waits for
 * the next. (A Netty {@code IdleStateHandler} per connection did the same with a clock read and a listener on
 * every write and read of every exchange.)
 */
final class DirectBackend {

  /** Waits for a connection. Exactly one of the two methods is called, once. */
  interface Waiter {
    void connected(Connection connection);

    void failed(ProxyFailure failure, Throwable cause);
  }

  /** What a connection reports to the exchange that is using it. */
  interface User {
    void backendRead(Object message);

    void backendReadComplete();

    void backendWritabilityChanged();

    void backendClosed(Throwable cause);
  }

  private final EventLoop loop;
  private final ChannelFactory<? extends Channel> channels;
  private final AddressResolverGroup<InetSocketAddress> resolver;
  private final ProxySettings settings;
  /** For an HTTPS backend; null for plain HTTP. */
  private final SslContext tls;
  private final ArrayDeque<Connection> idle = new ArrayDeque<>();
  private final ArrayDeque<Queued> waiting = new ArrayDeque<>();
  private final long keepAliveNanos;
  /** Armed while connections are idle: when the first in {@link #idle} reaches the keep-alive timeout. */
  private ScheduledFuture<?> idleTimer;
  private int open;
  private boolean closed;

  DirectBackend(EventLoop loop, ChannelFactory<? extends Channel> channels,
      AddressResolverGroup<InetSocketAddress> resolver, ProxySettings settings, SslContext tls) {
    this.loop = loop;
    this.tls = tls;
    this.channels = channels;
    this.resolver = resolver;
    this.settings = settings;
    this.keepAliveNanos = settings.keepAliveTimeout().toNanos();
  }

  EventLoop loop() {
    return loop;
  }

  void acquire(Waiter waiter) {
    acquire(waiter, false);
  }

  /** @param fresh a new connection, not an idle one (a retry after an idle one turned out closed) */
  void acquire(Waiter waiter, boolean fresh) {
    Connection reuse;
    while (!fresh && (reuse = idle.pollLast()) != null) {
      if (reuse.channel.isActive()) {
        waiter.connected(reuse);
        return;
      }
    }
    if (closed) {
      waiter.failed(ProxyFailure.CONNECT_FAILED, new IllegalStateException("proxy closed"));
    } else if (open < settings.maxConnectionsPerEventLoop()) {
      connect(waiter);
    } else if (waiting.size() >= settings.maxWaitQueuePerEventLoop()) {
      waiter.failed(ProxyFailure.POOL_BUSY, null);
    } else {
      Queued queued = new Queued(waiter);
      waiting.addLast(queued);
      queued.timeout = loop.schedule(() -> {
        if (waiting.remove(queued)) {
          waiter.failed(ProxyFailure.CONNECT_TIMEOUT, null);
        }
      }, settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Takes {@code waiter} out of the wait queue, if it is there (its client left): its place goes to the next
   * exchange, rather than being kept until a connection comes for nobody while others get 503 pool_busy.
   */
  void cancel(Waiter waiter) {
    for (Iterator<Queued> it = waiting.iterator(); it.hasNext(); ) {
      Queued queued = it.next();
      if (queued.waiter == waiter) {
        it.remove();
        queued.timeout.cancel(false);
        return;
      }
    }
  }

  /** Gives a connection back: kept for the next exchange when {@code reusable}, closed otherwise. */
  void release(Connection connection, boolean reusable) {
    connection.user = null;
    if (!reusable || closed || !connection.channel.isActive()
        || connection.codec != null && connection.codec.unreadBytes()) {
      connection.channel.close();
      return;
    }
    Queued next = waiting.pollFirst();
    if (next != null) {
      next.timeout.cancel(false);
      next.waiter.connected(connection);
    } else {
      connection.idleSince = System.nanoTime();
      idle.addLast(connection);
      if (idleTimer == null) {
        armIdleTimer(connection.idleSince);
      }
    }
  }

  private void armIdleTimer(long idleSince) {
    long delay = Math.max(0, idleSince + keepAliveNanos - System.nanoTime());
    idleTimer = loop.schedule(this::closeExpired, delay, TimeUnit.NANOSECONDS);
  }

  /** Closes the idle connections that have waited the keep-alive timeout; the timer then waits for the next. */
  private void closeExpired() {
    idleTimer = null;
    long now = System.nanoTime();
    Connection first;
    while ((first = idle.peekFirst()) != null && now - first.idleSince >= keepAliveNanos) {
      idle.pollFirst();
      first.channel.close();
    }
    if (first != null && !closed) {
      armIdleTimer(first.idleSince);
    }
  }

  /** Closes idle connections and refuses new exchanges; exchanges in flight end when their connection does. */
  void close() {
    loop.execute(() -> {
      closed = true;
      if (idleTimer != null) {
        idleTimer.cancel(false);
        idleTimer = null;
      }
      Connection c;
      while ((c = idle.pollFirst()) != null) {
        c.channel.close();
      }
      Queued q;
      while ((q = waiting.pollFirst()) != null) {
        q.timeout.cancel(false);
        q.waiter.failed(ProxyFailure.CONNECT_FAILED, new IllegalStateException("proxy closed"));
      }
    });
  }

  private void connect(Waiter waiter) {
    open++;
    Connection connection = new Connection();
    int connectMillis = (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis());
    ChannelFuture connecting = new Bootstrap()
        .group(loop)
        .channelFactory(channels)
        .resolver(resolver)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectMillis)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            if (tls != null) {
              ch.pipeline().addLast("tls", tlsHandler(ch, connectMillis));
            }
            // Vert.x's HTTP client limits: 4 KiB initial line, 8 KiB of headers, 8 KiB chunks.
            BackendCodec codec = new BackendCodec(4096, 8192, 8192);
            connection.codec = codec;
            ch.pipeline().addLast("decoder", codec.decoder())
                .addLast("encoder", codec.encoder())
                .addLast("exchange", connection);
          }
        })
        .connect(settings.backendHost(), settings.backendPort());
    connection.channel = connecting.channel();
    connecting.channel().closeFuture().addListener(f -> {
      open--;
      idle.remove(connection);
      connectWaiting();
    });
    connecting.addListener(f -> {
      if (!f.isSuccess()) {
        waiter.failed(ProxyFailure.ofConnect(f.cause()), f.cause());
      } else if (tls == null) {
        waiter.connected(connection);
      } else {
        // Usable once the backend's certificate has been verified.
        connection.channel.pipeline().get(SslHandler.class).handshakeFuture().addListener(h -> {
          if (h.isSuccess()) {
            waiter.connected(connection);
          } else {
            connection.channel.close();
            waiter.failed(ProxyFailure.ofConnect(h.cause()), h.cause());
          }
        });
      }
    });
  }

  /** TLS to the backend as the Vert.x client does it: SNI, host name verification, handshake within the connect timeout. */
  private SslHandler tlsHandler(Channel ch, int handshakeMillis) {
    SslHandler handler = tls.newHandler(ch.alloc(), settings.backendHost(), settings.backendPort());
    SSLParameters parameters = handler.engine().getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    handler.engine().setSSLParameters(parameters);
    handler.setHandshakeTimeoutMillis(handshakeMillis);
    return handler;
  }

  /**
   * The client TLS context for an HTTPS backend: the configured CA file or the JDK's trust store, the
   * client certificate if configured; null for a plain-HTTP backend.
   *
   * @throws javax.net.ssl.SSLException when the files cannot be used
   */
  static SslContext tlsContext(ProxySettings settings) throws javax.net.ssl.SSLException {
    if (!settings.backendTls()) {
      return null;
    }
    SslContextBuilder builder = SslContextBuilder.forClient()
        .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
        .protocols("TLSv1.3", "TLSv1.2");
    settings.trustPem().ifPresent(pem -> builder.trustManager(pem.toFile()));
    if (settings.clientCertPem().isPresent()) {
      builder.keyManager(settings.clientCertPem().get().toFile(), settings.clientKeyPem().orElseThrow().toFile());
    }
    return builder.build();
  }

  /** A connection closed: a waiting exchange may open a new one in its place. */
  private void connectWaiting() {
    if (!closed && open < settings.maxConnectionsPerEventLoop()) {
      Queued next = waiting.pollFirst();
      if (next != null) {
        next.timeout.cancel(false);
        connect(next.waiter);
      }
    }
  }

  private static final class Queued {
    final Waiter waiter;
    ScheduledFuture<?> timeout;

    Queued(Waiter waiter) {
      this.waiter = waiter;
    }
  }

  /** One backend connection: passes what it reads to its current user; idle, it only watches for closing. */
  static final class Connection extends ChannelInboundHandlerAdapter {
    Channel channel;
    BackendCodec codec;
    private User user;
    /** Exchanges that have used this connection, the current one included. */
    private int uses;
    /** When it was last given back to the pool ({@link System#nanoTime}). */
    long idleSince;

    /** Counts a new exchange on this connection; true when an earlier one used it (it sat idle in the pool). */
    boolean reused() {
      return uses++ > 0;
    }

    Channel channel() {
      return channel;
    }

    void use(User user) {
      this.user = user;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (user == null) {
        // A backend that answers without being asked cannot be trusted with the next request.
        ReferenceCountUtil.release(msg);
        ctx.close();
        return;
      }
      user.backendRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (user != null) {
        user.backendReadComplete();
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (user != null) {
        user.backendWritabilityChanged();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      User u = user;
      user = null;
      if (u != null) {
        u.backendClosed(null);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      User u = user;
      user = null;
      ctx.close();
      if (u != null) {
        u.backendClosed(cause);
      }
    }
  }
}
