package com.timereg.gateway.edge;

import com.timereg.gateway.accesslog.AccessEntry;
import com.timereg.gateway.accesslog.AccessLog;
import com.timereg.gateway.proxy.DirectProxy;
import com.timereg.gateway.proxy.ForwardedIdentity;
import com.timereg.gateway.proxy.ProxyHandler;
import com.timereg.gateway.session.SessionAuthenticator;
import com.timereg.gateway.session.SessionCookies;
import com.timereg.gateway.session.SessionIdentity;
import com.timereg.gateway.throttle.Decision;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.impl.ShutdownEvent;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The two most frequent answers of the public listener, given inside an HTTP/1.1 connection's Netty
 * pipeline right after the HTTP codec, without Vert.x creating a request, a response, a routing context
 * and their metrics: a blocked client's 429 (the same answer as {@link BlockHandler#refuse}), and the
 * relay of an authenticated request to the backend ({@link DirectProxy}, the same exchange as the router's
 * proxy step). What each costs decides how many requests per second a core carries (docs/benchmarks.md).
 *
 * <p>Only what is certain is decided here; everything else goes to Vert.x unchanged and is decided by
 * {@link PublicEntry} and the router as before:
 * <ul>
 *   <li>only when no earlier request on the connection is still being answered by Vert.x (HTTP/1.1 answers
 *       in order); requests that arrive while a relay is in flight wait here and are then decided in turn;
 *   <li>only HTTP/1.1, origin-form targets, with unambiguous framing and no transfer coding; the client
 *       address is resolved from the connection's {@link ClientPeer} as on the router's path;
 *   <li>refused: requests without any credentials (no Authorization header, no cookie header naming the
 *       session cookies) from a blocked client, whose path cannot be the session renewal;
 *   <li>relayed: requests from a client that is not blocked, to a path none of the gateway's own routes
 *       can match (a plain path whose first segment no route starts with), whose session
 *       {@link SessionAuthenticator#settle} accepts without a refresh; not upgrades, not {@code Expect}.
 * </ul>
 * A refused request's body is read and dropped, and the connection stays open unless it asked to close.
 * Vert.x's answer to a request that expects 100 Continue, given before any 100 and any of its body, closes the
 * connection (see {@link #write}).
 * After a protocol switch (WebSocket tunnel) the handler lets every byte pass.
 */
final class ConnectionFastPath extends ChannelDuplexHandler {
  /** What this handler answered in Vert.x's place (status, body bytes), for the router's access-log line. */
  private static final io.netty.util.AttributeKey<long[]> ANSWERED_FOR_VERTX =
      io.netty.util.AttributeKey.valueOf(ConnectionFastPath.class, "answeredForVertx");
  /** Vert.x's name for the HTTP/1.x encoder in a connection's pipeline. */
  private static final String ENCODER = "httpEncoder";

  private final PublicRouter.Steps steps;
  private final String hsts;
  private final DirectProxy direct;
  private final SessionAuthenticator sessions;
  private final List<String> ownedPrefixes;
  /** The connection is TLS (for X-Forwarded-Proto); its handlers are in place before the HTTP codec's. */
  private final boolean tls;
  /** The context of Vert.x's HTTP encoder, right before this handler: relayed answers are written past it. */
  private ChannelHandlerContext encoder;
  /** A relay's end (its access-log line, if the log is on, and what waited behind it), and its answer's head. */
  private final class RelayEnd implements DirectProxy.Ended {
    private final ChannelHandlerContext ctx;
    private final AccessLog log;
    private final long start;
    private final String method;
    private final String uri;
    private final String host;
    private final String agent;
    private final String address;
    private final SessionIdentity id;

    RelayEnd(ChannelHandlerContext ctx, AccessLog log, long start, String method, String uri, String host,
        String agent, String address, SessionIdentity id) {
      this.ctx = ctx;
      this.log = log;
      this.start = start;
      this.method = method;
      this.uri = uri;
      this.host = host;
      this.agent = agent;
      this.address = address;
      this.id = id;
    }

    @Override
    public void answering() {
      // Written past the encoder, by the handler that counts answers for the lingering close: counted here, or
      // every close after a relayed answer would linger for requests it took for unanswered.
      if (linger == null) {
        linger = LingeringClose.of(ctx.pipeline());
      }
      if (linger != null) {
        linger.answeredPastEncoder();
      }
    }

    @Override
    public void ended(boolean closing, int status, long bytes) {
      if (log != null) {
        log.log(entry(address, method, uri, host, status, bytes, start, id, agent));
      }
      relayEnded(ctx, closing);
    }
  }

  /** The connection's peer ({@link ClientPeer}), once read. */
  private InetAddress peer;
  /** The last client address relayed for, and its text: the same for every request of most connections. */
  private InetAddress lastClient;
  private String lastClientText;
  /** The last Host relayed for, and its authority as forwarded. */
  private String lastHost;
  private String lastForwardedHost;
  /** Requests given to Vert.x and not yet answered. */
  private int inFlight;
  /** The relay in flight, if any; its request body still arriving while {@link #relayBody}. */
  private DirectProxy.Exchange relay;
  private boolean relayBody;
  /** Messages that arrived behind the relay in flight, in order. */
  private ArrayDeque<Object> held;
  private boolean closing;
  /** Vert.x has begun the answer to the oldest request it was given (its head is written, not its end). */
  private boolean answering;
  /** Vert.x has answered with {@code Connection: close}: requests after it are dropped unread. */
  private boolean closeAfterAnswer;
  /**
   * The request Vert.x holds expects 100 Continue, and neither a 100 nor any of its body has passed: its client
   * need not send the body after a final answer (RFC 9110 10.1.1), which Vert.x would wait for on this connection.
   */
  private boolean awaitingContinue;
  /** Vert.x's answer came before the body it awaits: the connection closes once the answer is written. */
  private boolean closeAfterThisAnswer;
  /** This handler answered 400 to a malformed body of a request Vert.x was given; Vert.x's writes go nowhere. */
  private boolean answeredForVertx;
  /** A relay is being started: an end reported now belongs to it, not to {@link #relay}. */
  private boolean starting;
  private boolean endedWhileStarting;
  private boolean discarding;
  private boolean tunnel;
  /** The listener is stopping: every answer from now on closes the connection after it. */
  private boolean draining;
  /** Vert.x's shutdown event, kept from Vert.x while a relay is in flight (it would close the connection at once). */
  private Object heldShutdown;
  /** The connection's lingering close (installed after this handler), once a relayed answer has needed it. */
  private LingeringClose linger;

  private ConnectionFastPath(PublicRouter.Steps steps, String hsts, DirectProxy direct,
      SessionAuthenticator sessions, List<String> ownedPrefixes, boolean tls) {
    this.steps = steps;
    this.tls = tls;
    this.hsts = hsts;
    this.direct = direct;
    this.sessions = sessions;
    this.ownedPrefixes = ownedPrefixes;
  }

  /**
   * Installs the handler on an HTTP/1.x connection of the public listener; HTTP/2 connections are left alone.
   *
   * @param direct        the listener instance's direct proxy, or null: then only refusals are answered here
   * @param ownedPrefixes lower-case path prefixes of the gateway's own routes (see {@link PublicEntry#ownedPrefixes})
   */
  static void install(HttpConnection connection, PublicRouter.Steps steps, String hsts, DirectProxy direct,
      SessionAuthenticator sessions, List<String> ownedPrefixes) {
    if (connection instanceof Http1xServerConnection http1) {
      ChannelPipeline pipeline = http1.channelHandlerContext().pipeline();
      // After the encoder, so that our answers are encoded and Vert.x's pass by us on their way out.
      if (pipeline.get("httpDecoder") != null && pipeline.get(ENCODER) != null) {
        pipeline.addAfter(ENCODER, "gatewayFastPath",
            new ConnectionFastPath(steps, hsts, ownedPrefixes == null ? null : direct, sessions, ownedPrefixes,
                pipeline.get(SslHandler.class) != null));
      }
    }
  }

  /**
   * The status and body bytes this handler sent on {@code connection} in place of Vert.x's answer (a malformed
   * chunked body, see {@link #malformedBody}), or null: Vert.x then reports the request as cut off.
   */
  static long[] answeredInsteadOfVertx(HttpConnection connection) {
    return connection instanceof Http1xServerConnection http1
        ? http1.channelHandlerContext().channel().attr(ANSWERED_FOR_VERTX).get() : null;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (tunnel) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (relay != null) {
      if (relayBody && msg instanceof HttpContent content) {
        relayBody = !(msg instanceof LastHttpContent);
        relay.clientContent(content);
      } else {
        hold(ctx, msg);
      }
      return;
    }
    if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
      malformedBody(ctx, content);
      return;
    }
    if (discarding) {
      if (msg instanceof HttpContent) {
        discarding = !(msg instanceof LastHttpContent);
        ReferenceCountUtil.release(msg);
        return;
      }
      discarding = false;
    }
    if (msg instanceof HttpRequest && closeAfterAnswer) {
      // The rest of the request being answered still goes to Vert.x (it waits for its end to close).
      discarding = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest request) {
      InetAddress peer;
      if (inFlight == 0 && request.decoderResult().isSuccess() && request.protocolVersion() != HttpVersion.HTTP_1_1
          && request.protocolVersion() != HttpVersion.HTTP_1_0 && (peer = peer(ctx)) != null) {
        ReferenceCountUtil.release(msg);
        unservedVersion(ctx, request, peer);
        return;
      }
      if (inFlight == 0 && request.decoderResult().isSuccess()
          && request.protocolVersion() == HttpVersion.HTTP_1_1
          && (peer = peer(ctx)) != null) {
        if (refuse(ctx, request, peer)) {
          discarding = !(msg instanceof LastHttpContent);
          ReferenceCountUtil.release(msg);
          return;
        }
        if (relay(ctx, request, peer)) {
          return;
        }
      }
      // Vert.x answers every request it is given, malformed ones too (400, 414, 431), so this stays
      // balanced with the responses counted in write().
      inFlight++;
      awaitingContinue = inFlight == 1 && !(msg instanceof LastHttpContent) && HttpUtil.is100ContinueExpected(request);
    } else if (msg instanceof HttpContent) {
      // The client sends its body (it need not wait for the 100).
      awaitingContinue = false;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!tunnel && msg instanceof HttpResponse response
        && response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
      // 100 Continue is not the answer; 101 turns the connection into a tunnel. After a 100 the body is on its way.
      tunnel = response.status().code() == 101;
      awaitingContinue = false;
    } else if (!tunnel && inFlight > 0) {
      if (awaitingContinue && msg instanceof HttpResponse response) {
        // Answered before any 100 (the session gate's 401, a block's 429, the proxy's refusals, a login route's
        // own answer): the client has not sent its body and need not, while Vert.x keeps the connection to read
        // it and would take the client's next request (or a late body) for it. The answer says the connection
        // ends, and it ends after the answer (as the proxy's own early answers do, Exchange.fail).
        awaitingContinue = false;
        closeAfterThisAnswer = true;
        closeAfterAnswer = true;
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      if (closeAfterThisAnswer && msg instanceof LastHttpContent && !answeredForVertx) {
        closeAfterThisAnswer = false;
        inFlight--;
        answering = false;
        ChannelPromise written = promise.unvoid();
        ctx.write(msg, written);
        written.addListener(ChannelFutureListener.CLOSE);
        return;
      }
      if (draining && msg instanceof HttpResponse response) {
        // Vert.x closes the connection after this answer but does not say so; a client that knows sends
        // nothing more on it.
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      if (msg instanceof HttpResponse response
          && response.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)) {
        // Vert.x ends the connection after this answer (say, FramingGuard's 400): no request the client
        // sent after it is to be answered, relayed or given to Vert.x, even if it was already read.
        closeAfterAnswer = true;
      }
      if (msg instanceof LastHttpContent) {
        inFlight--;
        answering = false;
      } else if (msg instanceof HttpResponse) {
        answering = true;
      }
    }
    if (answeredForVertx) {
      ReferenceCountUtil.release(msg);
      promise.tryFailure(new java.nio.channels.ClosedChannelException());
      return;
    }
    ctx.write(msg, promise);
  }

  /** An answer of this handler's own: HSTS, no caching, the body's type and length. */
  private FullHttpResponse answer(HttpResponseStatus status, String contentType, String text) {
    ByteBuf body = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    HttpHeaders out = response.headers();
    if (hsts != null) {
      out.set("Strict-Transport-Security", hsts);
    }
    out.set("Cache-Control", "no-store")
        .set("Content-Type", contentType)
        .set("Content-Length", body.readableBytes());
    return response;
  }

  /**
   * A body Netty could not decode (a malformed chunk size or chunk end; only chunked bodies can fail, and
   * those always go to Vert.x). Netty reads nothing more from the connection after it, so the connection
   * ends here. Vert.x would close it without a word; when the request is the only one Vert.x holds and
   * its answer has not begun, the client gets a 400 first.
   */
  private void malformedBody(ChannelHandlerContext ctx, HttpContent content) {
    if (relay == null && !discarding && inFlight == 1 && !answering) {
      ReferenceCountUtil.release(content);
      closing = true;
      FullHttpResponse response = answer(HttpResponseStatus.BAD_REQUEST, "application/json",
          "{\"error\":\"bad_request\",\"message\":\"The request body is not valid chunked transfer coding.\"}");
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      answeredForVertx = true;
      ctx.channel().attr(ANSWERED_FOR_VERTX).set(new long[] {400, response.content().readableBytes()});
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else if (relay == null && !discarding) {
      // Vert.x's request: it fails the connection itself.
      ctx.fireChannelRead(content);
    } else {
      ReferenceCountUtil.release(content);
      closing = true;
      ctx.close();
    }
  }

  /**
   * The listener is stopping ({@code HttpServer.shutdown}). Vert.x closes a connection at once when it is
   * answering nothing, and knows nothing of a relay in flight: so while one is, Vert.x hears of the shutdown
   * only when it has ended, and its answer says {@code Connection: close}. Requests that arrived behind it are
   * dropped unanswered, as are any that arrive from now on; the client was told, and may send them again on a
   * new connection (to another node).
   */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ShutdownEvent && !tunnel && !draining) {
      draining = true;
      if (relay != null) {
        heldShutdown = evt;
        relay.closeAfterAnswer();
        return;
      }
      if (inFlight == 0) {
        closing = true;
        releaseHeld();
      }
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (relay != null) {
      relay.clientReadComplete();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (relay != null) {
      relay.clientWritabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
    releaseHeld();
    if (relay != null) {
      DirectProxy.Exchange ending = relay;
      relay = null;
      ending.clientClosed();
    }
    ctx.fireChannelInactive();
  }

  private void hold(ChannelHandlerContext ctx, Object msg) {
    if (held == null) {
      held = new ArrayDeque<>(4);
    }
    held.addLast(msg);
    // A pipelining client waits for its answers in order anyway; stop reading until the relay is done.
    ctx.channel().config().setAutoRead(false);
  }

  private void releaseHeld() {
    if (held != null) {
      Object m;
      while ((m = held.pollFirst()) != null) {
        ReferenceCountUtil.release(m);
      }
    }
  }

  /** The relay in flight ended: decide what waited behind it, as if it arrived now. */
  private void relayEnded(ChannelHandlerContext ctx, boolean connectionClosing) {
    if (connectionClosing || !ctx.channel().isActive()) {
      closing = true;
    }
    if (starting) {
      endedWhileStarting = true;
      return;
    }
    relay = null;
    // Answered before its body was all here: drop the rest.
    discarding = relayBody;
    relayBody = false;
    if (heldShutdown != null) {
      closing = true;
      Object shutdown = heldShutdown;
      heldShutdown = null;
      releaseHeld();
      ctx.fireUserEventTriggered(shutdown);
      return;
    }
    if (closing) {
      releaseHeld();
      return;
    }
    if (held == null || held.isEmpty()) {
      return;
    }
    // Until a relay starts again; the body of a relayed request goes on to it.
    Object m;
    while ((m = held.peekFirst()) != null && (relay == null || relayBody && m instanceof HttpContent)) {
      held.pollFirst();
      channelRead(ctx, m);
    }
    if (relay == null) {
      ctx.channel().config().setAutoRead(true);
    }
    // Vert.x flushes what it wrote while reading at the end of the read; this was not a read of ours.
    ctx.fireChannelReadComplete();
  }

  /** The connection's peer ({@link ClientPeer}: with the PROXY protocol, whom a trusted balancer named), read once. */
  private InetAddress peer(ChannelHandlerContext ctx) {
    if (peer == null) {
      peer = ClientPeer.of(ctx.channel());
    }
    return peer;
  }

  private boolean relay(ChannelHandlerContext ctx, HttpRequest request, InetAddress peer) {
    if (direct == null) {
      return false;
    }
    String uri = request.uri();
    HttpHeaders headers = request.headers();
    if (!plainPath(uri) || ownedPath(uri) || ProxyHandler.refusesMethod(request.method().name())
        || headers.contains(HttpHeaderNames.UPGRADE)
        || headers.contains(HttpHeaderNames.EXPECT) || headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return false;
    }
    List<String> lengths = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
    long length = contentLength(lengths);
    if (length < -1 || !direct.accepts(length)) {
      return false;
    }
    List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
    if (hosts.size() != 1 || !plainHost(hosts.get(0))) {
      return false;
    }
    String forwardedHost = forwardedHost(hosts.get(0));
    if (forwardedHost == null) {
      return false;
    }
    String cookie = accessCookie(headers);
    if (cookie == null && !headers.contains(HttpHeaderNames.AUTHORIZATION)) {
      return false;
    }
    InetAddress client = steps.clientAddress().resolve(peer, headers.getAll("X-Forwarded-For"));
    if (client == null || !steps.blockCheck().check(client).allowed()) {
      return false;
    }
    SessionAuthenticator.Settled settled = sessions.settle(headers.getAll(HttpHeaderNames.AUTHORIZATION), cookie);
    if (settled == null) {
      return false;
    }
    SessionIdentity id = settled.identity();
    boolean close = headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
    DirectProxy.Request facts = new DirectProxy.Request(addressText(client),
        tls, forwardedHost,
        new ForwardedIdentity(id.loginName(), id.customer(), id.method().value, id.sessionId(), null),
        settled.bearerIsOurs(), length,
        close, hsts);
    AccessLog log = steps.accessLog();
    DirectProxy.Ended onEnd = log.enabled()
        ? new RelayEnd(ctx, log, System.nanoTime(), request.method().name(), uri, forwardedHost,
            headers.get(HttpHeaderNames.USER_AGENT), facts.clientAddress(), id)
        : new RelayEnd(ctx, null, 0, null, null, null, null, null, null);
    if (encoder == null && (encoder = ctx.pipeline().context(ENCODER)) == null) {
      return false;
    }
    starting = true;
    endedWhileStarting = false;
    DirectProxy.Exchange exchange;
    try {
      exchange = direct.forward(ctx, encoder, request, facts, onEnd);
    } finally {
      starting = false;
    }
    if (exchange == null) {
      return false;
    }
    boolean bodyFollows = !(request instanceof LastHttpContent);
    if (endedWhileStarting) {
      // It failed at once (e.g. a full pool) and has answered: drop whatever body follows.
      discarding = bodyFollows;
    } else {
      relay = exchange;
      relayBody = bodyFollows;
    }
    if (request instanceof HttpContent content) {
      exchange.clientContent(content);
    }
    return true;
  }

  /**
   * The Host as the router reads and forwards it (X-Forwarded-Host), or null when it is not one to relay: a value
   * Vert.x cannot parse as host[:port] (say "localhost:evil.example") is the router's to refuse (400), and so is
   * a host outside {@code public.allowed-hosts}. Decided once per connection while the Host stays the same.
   */
  private String forwardedHost(String host) {
    if (!host.equals(lastHost)) {
      HostAndPort authority = HostAndPort.parseAuthority(host, -1);
      if (authority == null || !steps.allowsHost().test(authority.host())) {
        return null;
      }
      lastForwardedHost = authority.toString();
      lastHost = host;
    }
    return lastForwardedHost;
  }

  /** The address as text (for X-Forwarded-For), made once per connection while it stays the same. */
  private String addressText(InetAddress client) {
    // An IPv6 address's text may carry a scope that equals() ignores: only the same object counts then.
    if (client != lastClient && !(client instanceof Inet4Address && client.equals(lastClient))) {
      lastClientText = client.getHostAddress();
      lastClient = client;
    }
    return lastClientText;
  }

  private boolean refuse(ChannelHandlerContext ctx, HttpRequest request, InetAddress peer) {
    String uri = request.uri();
    HttpHeaders headers = request.headers();
    if (uri.isEmpty() || uri.charAt(0) != '/' || BlockHandler.mayRenew(uri) || carriesCredentials(headers)
        || ambiguousFraming(headers)) {
      return false;
    }
    InetAddress client = steps.clientAddress().resolve(peer, headers.getAll("X-Forwarded-For"));
    if (client == null) {
      return false;
    }
    Decision d = steps.blockCheck().check(client);
    if (!steps.blockCheck().refusesWithoutSession(d)) {
      return false;
    }
    String accept = headers.get(HttpHeaderNames.ACCEPT);
    boolean html = accept != null && accept.contains("text/html");
    // Spelled as BlockHandler's answer through Vert.x is, so both look the same on the wire.
    FullHttpResponse response = answer(HttpResponseStatus.TOO_MANY_REQUESTS,
        html ? "text/html; charset=utf-8" : "application/json", BlockHandler.refusalBody(d, html));
    if (io.netty.handler.codec.http.HttpMethod.HEAD.equals(request.method())) {
      // No content for HEAD (RFC 9110 9.3.2), the length a GET would get, as Vert.x answers it: Vert.x's encoder
      // does not know the request's method, and bytes after the head would be read as the next answer.
      response.content().clear();
    }
    HttpHeaders out = response.headers();
    out.set("Retry-After", Long.toString(d.retryAfterSeconds()))
        .set("X-Content-Type-Options", "nosniff");
    if (html) {
      out.set("Content-Security-Policy", BlockHandler.PAGE_POLICY).set("X-Frame-Options", "DENY");
    }
    steps.blockCheck().refusedInConnection();
    if (steps.accessLog().enabled()) {
      steps.accessLog().log(entry(client.getHostAddress(), request.method().name(), uri,
          headers.get(HttpHeaderNames.HOST), 429, response.content().readableBytes(), System.nanoTime(), null,
          headers.get(HttpHeaderNames.USER_AGENT)));
    }
    // A client awaiting 100 Continue sends no body after a final answer (RFC 9110 10.1.1), while this path would
    // read the declared body and drop it: its next request would be taken for that body. So the connection ends.
    boolean close = headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)
        || headers.contains(HttpHeaderNames.EXPECT);
    if (close) {
      out.set("Connection", "close");
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(response);
    }
    return true;
  }

  /** An access-log entry for an answer given in this connection (HTTP/1.1, {@code via: direct}). */
  private static AccessEntry entry(String client, String method, String uri, String host, int status, long bytes,
      long startNanos, SessionIdentity id, String userAgent) {
    return entry(client, method, uri, "HTTP/1.1", host, status, bytes, startNanos, id, userAgent);
  }

  private static AccessEntry entry(String client, String method, String uri, String protocol, String host, int status,
      long bytes, long startNanos, SessionIdentity id, String userAgent) {
    int query = uri.indexOf('?');
    return PublicEntry.accessEntry(client, method, query < 0 ? uri : uri.substring(0, query), protocol, host,
        status, bytes, startNanos, id, "direct", userAgent);
  }

  /**
   * A request in an HTTP version other than 1.0 and 1.1, which Netty reads (any {@code NAME/d.d}) and Vert.x would
   * answer itself (501, in the request's version, without HSTS), before the gateway's handler and so without an
   * access-log line: scanners' probes went unseen. Answered here, 505, the connection closed after it (the framing
   * of what follows is not known), and logged like every other answer, with the version as sent.
   */
  private void unservedVersion(ChannelHandlerContext ctx, HttpRequest request, InetAddress peer) {
    closing = true;
    FullHttpResponse response = answer(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "application/json",
        "{\"error\":\"http_version_not_supported\",\"message\":\"Only HTTP/1.1 and HTTP/2 are served.\"}");
    response.headers().set("Connection", "close");
    if (io.netty.handler.codec.http.HttpMethod.HEAD.equals(request.method())) {
      response.content().clear(); // as in refuse
    }
    if (steps.accessLog().enabled()) {
      InetAddress client = steps.clientAddress().resolve(peer, request.headers().getAll("X-Forwarded-For"));
      steps.accessLog().log(entry((client == null ? peer : client).getHostAddress(), request.method().name(),
          request.uri(), request.protocolVersion().text(), request.headers().get(HttpHeaderNames.HOST), 505,
          response.content().readableBytes(), System.nanoTime(), null, request.headers().get(HttpHeaderNames.USER_AGENT)));
    }
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * A target whose path vertx-web would route unchanged: origin-form, visible ASCII, no percent-encoding,
   * no dot segments, empty segments or backslashes, so that "no route starts with it" below is certain.
   */
  static boolean plainPath(String uri) {
    int end = uri.indexOf('?');
    if (end < 0) {
      end = uri.length();
    }
    if (end == 0 || uri.charAt(0) != '/') {
      return false;
    }
    char previous = 0;
    for (int i = 0; i < end; i++) {
      char c = uri.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '%' || c == '\\' || c == ';' || c == '#') {
        return false;
      }
      if (c == '/' && previous == '/' || c == '.' && previous == '/') {
        return false;
      }
      previous = c;
    }
    return true;
  }

  /** Whether a route of the gateway's own might match the path: then the router decides. */
  private boolean ownedPath(String uri) {
    for (String prefix : ownedPrefixes) {
      if (uri.regionMatches(true, 0, prefix, 0, prefix.length())) {
        return true;
      }
    }
    return false;
  }

  /** A Host value Vert.x would take as it is: a name or address, an optional port. */
  private static boolean plainHost(String host) {
    if (host.isEmpty() || host.length() > 255) {
      return false;
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** The one Content-Length, -1 without one, -2 when several or not a number (the router's to answer). */
  private static long contentLength(List<String> values) {
    if (values.isEmpty()) {
      return -1;
    }
    if (values.size() > 1) {
      return -2;
    }
    String v = values.get(0);
    if (v.isEmpty() || v.length() > 18) {
      return -2;
    }
    for (int i = 0; i < v.length(); i++) {
      if (v.charAt(i) < '0' || v.charAt(i) > '9') {
        return -2;
      }
    }
    return Long.parseLong(v);
  }

  /** The value of the request's one access cookie; null without one, or with several or several Cookie headers. */
  private static String accessCookie(HttpHeaders headers) {
    List<String> cookieHeaders = headers.getAll(HttpHeaderNames.COOKIE);
    if (cookieHeaders.size() != 1 || !cookieHeaders.get(0).contains(SessionCookies.ACCESS)) {
      return null;
    }
    String value = null;
    for (Cookie c : ServerCookieDecoder.STRICT.decodeAll(cookieHeaders.get(0))) {
      if (c.name().equals(SessionCookies.ACCESS)) {
        if (value != null) {
          return null;
        }
        value = c.value();
      }
    }
    return value;
  }

  /** Any Authorization header, or a Cookie header that may hold a session cookie: the router decides. */
  private static boolean carriesCredentials(HttpHeaders headers) {
    if (headers.contains(HttpHeaderNames.AUTHORIZATION)) {
      return true;
    }
    for (String cookie : headers.getAll(HttpHeaderNames.COOKIE)) {
      if (cookie.contains(SessionCookies.ACCESS) || cookie.contains(SessionCookies.REFRESH)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Ambiguous framing is {@link FramingGuard}'s to refuse; any transfer coding (a chunked body) is left to
   * Vert.x too, only to keep this handler to the plain cases.
   */
  private static boolean ambiguousFraming(HttpHeaders headers) {
    if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return true;
    }
    return FramingGuard.ambiguous(headers.getAll(HttpHeaderNames.CONTENT_LENGTH), List.of());
  }
}
