package com.timereg.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.MultiMap;
import io.vertx.core.http.impl.headers.HeadersAdaptor;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import java.util.ArrayDeque;

/**
 * One request on the direct path (see {@link DirectProxy}): the same exchange as {@link HttpExchange}
 * (same headers each way, same timeouts, statuses, error bodies, meters and log lines), written with
 * Netty's HTTP objects between the client connection's pipeline and a pooled backend connection.
 *
 * <p>Runs on the one event loop that owns the client connection and the backend pool; ends exactly once.
 * Back-pressure both ways: a client that reads slowly stops reads from the backend, a backend that
 * reads slowly stops reads from the client.
 */
final class DirectExchange implements DirectBackend.Waiter, DirectBackend.User, ResponseDeadlines.Waiting,
    DirectProxy.Exchange {

  /** Bodies of declared length up to this go out in one buffer with the head (see {@link #pendingHead}). */
  private static final int SMALL_BODY = 8192;
  /** At most this much of an answer is held back from the client until the read that brought its head ends. */
  private static final int HOLD_LIMIT = 65536;

  private final DirectProxy proxy;
  private final ChannelHandlerContext client;
  /**
   * Where the answer's bytes go: the client pipeline past Vert.x's HTTP encoder (see {@link ResponseHeads}).
   * Written with a promise of their own: Vert.x's idle handler would swap a void one for a new promise and a
   * listener besides.
   */
  private final ChannelHandlerContext wire;
  private final HttpRequest upstreamHead;
  private final String method;
  private final String path;
  private final boolean head;
  private final boolean html;
  private final String hsts;
  private final DirectProxy.Ended onEnd;
  private final long startNanos;
  /** Whose request this is: its session's end cuts the answer. */
  private final ForwardedIdentity identity;
  private boolean closeClient;
  private DirectBackend.Connection backend;
  private ArrayDeque<HttpContent> unsent;
  /** The client's reads are stopped while its body waits for a backend connection (see {@link #clientContent}). */
  private boolean clientPaused;
  private boolean requestForwarded;
  private boolean requestEnded;
  private boolean skippingInformational;
  private boolean responding;
  private boolean backendKeepAlive;
  private boolean backendReused;
  private boolean retried;
  /** The client's end of the request has arrived (a retry must not see another one later). */
  private boolean lastReceived;
  private final boolean bodiless;
  private final boolean safeMethod;
  private boolean clientUnflushed;
  /** The answer goes to the client chunked (the backend's had no Content-Length). */
  private boolean chunkedOut;
  /**
   * The answer's head, not yet written, with room for a small body of declared length: the body, which mostly
   * arrives in the same read, goes out in the same buffer (one write and one TLS record instead of two).
   */
  private ByteBuf pendingHead;
  /**
   * The answer's head has been decoded but nothing of it has gone to the client yet: what is written meanwhile
   * (past {@link #pendingHead}) waits in {@link #held}, in order, until the backend's read that brought the head
   * ends. Should the backend fail within that read (a malformed chunk right after the head, a TLS record that does
   * not decrypt), the client still gets a clean 502 instead of a head and a cut connection.
   */
  private boolean holding;
  private ArrayDeque<ByteBuf> held;
  private int heldBytes;
  private int status;
  /** Body bytes written to the client. */
  private long bytesOut;
  private ResponseDeadlines.Deadline deadline;
  private boolean finished;

  DirectExchange(DirectProxy proxy, ChannelHandlerContext client, ChannelHandlerContext wire, HttpRequest request,
      HeaderHygiene.Forwarding forwarding, long contentLength, boolean closeClient, String hsts, DirectProxy.Ended onEnd,
      long startNanos) {
    this.proxy = proxy;
    this.client = client;
    this.wire = wire;
    this.method = request.method().name();
    String uri = request.uri();
    int query = uri.indexOf('?');
    this.path = query < 0 ? uri : uri.substring(0, query);
    this.head = request.method().equals(HttpMethod.HEAD);
    this.bodiless = contentLength <= 0;
    this.safeMethod = head || request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.OPTIONS);
    String accept = request.headers().get(HttpHeaderNames.ACCEPT);
    this.html = ErrorResponses.wantsHtml(accept);
    this.closeClient = closeClient;
    // Without Content-Length (and transfer codings never come here) an HTTP/1.1 request has no body.
    this.requestEnded = contentLength <= 0;
    this.hsts = hsts;
    this.onEnd = onEnd;
    this.startNanos = startNanos;
    this.identity = forwarding.identity();
    // No validation: every value comes from a parsed message (no CR or LF can be in it) or is made
    // header-safe by HeaderHygiene; validating them again was about 1.5% of a relay's CPU.
    HeadersMultiMap out = HeadersMultiMap.httpHeaders(null);
    HeaderHygiene.toBackend(asMultiMap(request.headers()), out, forwarding, proxy.settings.gatewayCookiePrefix());
    out.set(HttpHeaderNames.HOST, proxy.hostHeader);
    if (contentLength >= 0) {
      out.set(HttpHeaderNames.CONTENT_LENGTH, Long.toString(contentLength));
    }
    this.upstreamHead = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), Exchange.asciiTarget(uri), out);
  }

  /** Starts the exchange: asks the pool for a connection. */
  void start() {
    proxy.metrics.relayedDirectly();
    proxy.backend.acquire(this);
  }

  // --- the client side ---------------------------------------------------------------------------

  @Override
  public void clientContent(HttpContent content) {
    if (finished) {
      content.release();
      return;
    }
    boolean last = content instanceof LastHttpContent;
    requestEnded |= last;
    lastReceived |= last;
    if (backend == null) {
      if (unsent == null) {
        unsent = new ArrayDeque<>(2);
      }
      unsent.addLast(content);
      if (!last && !clientPaused) {
        // No connection yet (the pool is busy, or one is being opened): the rest of the body stays with the client
        // until there is, as the router's path leaves its request paused. Read on, a whole upload (up to
        // max-body-size, per waiting request) piled up here for as long as the wait lasted.
        clientPaused = true;
        client.channel().config().setAutoRead(false);
      }
      return;
    }
    forward(content);
    if (last) {
      backend.channel().flush();
    }
  }

  @Override
  public void clientReadComplete() {
    if (backend != null && !finished) {
      backend.channel().flush();
    }
  }

  @Override
  public void clientWritabilityChanged() {
    if (backend != null && !finished) {
      backend.channel().config().setAutoRead(client.channel().isWritable());
    }
  }

  @Override
  public void clientClosed() {
    fail(ProxyFailure.CLIENT_CLOSED, null);
  }

  @Override
  public void closeAfterAnswer() {
    closeClient = true;
  }

  // --- the backend side --------------------------------------------------------------------------

  @Override
  public void connected(DirectBackend.Connection connection) {
    if (finished) {
      proxy.backend.release(connection, true);
      return;
    }
    backend = connection;
    backendReused = connection.reused();
    connection.use(this);
    connection.channel().config().setAutoRead(true);
    connection.channel().write(upstreamHead);
    if (unsent != null) {
      HttpContent c;
      while ((c = unsent.pollFirst()) != null) {
        forward(c);
      }
    }
    connection.channel().flush();
    if (clientPaused) {
      clientPaused = false;
      client.channel().config().setAutoRead(connection.channel().isWritable());
    }
  }

  @Override
  public void failed(ProxyFailure failure, Throwable cause) {
    fail(failure, cause);
  }

  @Override
  public void backendRead(Object message) {
    if (finished) {
      ReferenceCountUtil.release(message);
      return;
    }
    if (message instanceof HttpResponse response) {
      if (!response.decoderResult().isSuccess()) {
        ReferenceCountUtil.release(message);
        fail(ProxyFailure.CONNECTION_RESET, response.decoderResult().cause());
        return;
      }
      int code = response.status().code();
      if (code < 100 || code > 599) {
        // Not a status (RFC 9110 15: three digits, 100 to 599), though Netty's decoder reads any number: relayed, the
        // client got a head its parser refuses ("HTTP/1.1 2000", "HTTP/1.1 99"). As on the router's path.
        ReferenceCountUtil.release(message);
        fail(ProxyFailure.CONNECTION_RESET, new IllegalStateException("invalid status " + code + " from the backend"));
        return;
      }
      if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        // Nothing was asked that a 1xx answers (no Expect, no Upgrade): skip 103 and friends; a 101 is a
        // protocol switch the client never asked for.
        if (response.status().code() == 101) {
          ReferenceCountUtil.release(message);
          fail(ProxyFailure.CONNECTION_RESET, new IllegalStateException("unrequested 101 from the backend"));
          return;
        }
        skippingInformational = true;
        ReferenceCountUtil.release(message);
        return;
      }
      respond(response);
    }
    if (message instanceof HttpContent content) {
      if (skippingInformational) {
        skippingInformational = !(content instanceof LastHttpContent);
        content.release();
        return;
      }
      if (!content.decoderResult().isSuccess()) {
        content.release();
        fail(ProxyFailure.CONNECTION_RESET, content.decoderResult().cause());
        return;
      }
      bytesOut += content.content().readableBytes();
      if (content instanceof LastHttpContent last) {
        writeLast(last);
        completed();
        return;
      }
      writeBody(content);
      clientUnflushed = true;
      if (!client.channel().isWritable()) {
        backend.channel().config().setAutoRead(false);
      }
    }
  }

  @Override
  public void backendReadComplete() {
    release();
    if (clientUnflushed) {
      clientUnflushed = false;
      client.flush();
    }
  }

  @Override
  public void backendWritabilityChanged() {
    if (!finished) {
      client.channel().config().setAutoRead(backend.channel().isWritable());
    }
  }

  @Override
  public void backendClosed(Throwable cause) {
    // The connection is gone: nothing to give back to the pool.
    backend = null;
    if (mayRetry()) {
      // A pooled connection the backend closed while idle (its keep-alive timeout racing our reuse): no
      // byte of an answer came, and the request is safe to send again, so send it once more on a new
      // connection, as nginx does, rather than answer 502 for a backend that is fine.
      retried = true;
      requestForwarded = false;
      clearDeadline();
      unsent = new ArrayDeque<>(1);
      unsent.add(LastHttpContent.EMPTY_LAST_CONTENT);
      proxy.backend.acquire(this, true);
      return;
    }
    fail(cause == null ? ProxyFailure.CONNECTION_RESET : ProxyFailure.ofExchange(cause),
        cause == null ? new IllegalStateException("backend closed the connection") : cause);
  }

  @Override
  public void responseTimedOut() {
    deadline = null;
    long millis = proxy.settings.responseTimeout().toMillis();
    fail(ProxyFailure.RESPONSE_TIMEOUT, new ProxyFailure.ResponseTimeoutException(millis));
  }

  // --- internals ---------------------------------------------------------------------------------

  /**
   * Once, for a request without a body whose method is safe (RFC 9110 9.2.1), on a connection that had
   * served an earlier exchange, before any of the response arrived.
   */
  private boolean mayRetry() {
    return !retried && !finished && !responding && backendReused && bodiless && safeMethod && lastReceived;
  }

  private void forward(HttpContent content) {
    if (content instanceof LastHttpContent last && !last.trailingHeaders().isEmpty()) {
      // Chunked bodies never take this path, so there are no trailers to forward.
      content = new io.netty.handler.codec.http.DefaultLastHttpContent(last.content());
    }
    backend.channel().write(content);
    if (content instanceof LastHttpContent) {
      requestForwarded = true;
      if (!responding && deadline == null) {
        deadline = proxy.deadlines.start(this);
      }
    } else if (!backend.channel().isWritable()) {
      client.channel().config().setAutoRead(false);
    }
  }

  private void respond(HttpResponse response) {
    int code = response.status().code();
    HttpHeaders in = response.headers();
    // A chunked body is read by its chunks (Netty drops Content-Length beside chunked only for HTTP/1.1): a length
    // beside it would make the client read the rest of the body as the answer to its next request.
    boolean byChunks = HttpUtil.isTransferEncodingChunked(response);
    // A 204 has no body and may carry no Content-Length (RFC 9110 8.6): a backend's would have the client wait
    // for octets that never come. (A 304's names the representation's length and is kept.)
    String length = byChunks || code == 204 ? null : in.get(HttpHeaderNames.CONTENT_LENGTH);
    boolean chunked = length == null && !head && code >= 200 && code != 204 && code != 304;
    long declared = length == null || head || code < 200 || code == 204 || code == 304
        ? 0 : HttpUtil.getContentLength(response, 0L);
    int room = declared > 0 && declared <= SMALL_BODY ? (int) declared : 0;
    if (!requestEnded) {
      // Answered before the upload ended: the connection closes after the answer (see completed), and the answer
      // says so (RFC 9110 10.1.1), or the client may send its next request on a connection about to close.
      closeClient = true;
    }
    ByteBuf bytes;
    try {
      bytes = proxy.heads.head(client.alloc(), code, in, length, chunked, hsts, closeClient, room);
    } catch (IllegalArgumentException e) {
      // Not a head anyone should read (the decoder lets no CR, LF or NUL through): like a malformed one.
      fail(ProxyFailure.CONNECTION_RESET, e);
      return;
    }
    responding = true;
    holding = true;
    clearDeadline();
    status = code;
    if (identity != null && identity.session() != null) {
      // Until it ends, the answer is cut when its session is revoked, as a tunnel is (OpenTunnels); not when its
      // access token expires, as a live session's does every few minutes (Exchange.watchAnswer).
      proxy.support.tunnels.answering(identity.session(), this,
          () -> fail(ProxyFailure.SESSION_ENDED, null));
    }
    chunkedOut = chunked;
    // Both lengths on one answer is faulty framing (RFC 9112 6.3): the connection is not used again.
    backendKeepAlive = HttpUtil.isKeepAlive(response) && !(byChunks && in.contains(HttpHeaderNames.CONTENT_LENGTH));
    pendingHead = bytes;
    clientUnflushed = true;
  }

  /** Moves the head held for the body, if any, on its way out (see {@link #out}). */
  private void writePendingHead() {
    if (pendingHead != null) {
      ByteBuf bytes = pendingHead;
      pendingHead = null;
      out(bytes);
    }
  }

  /** Bytes of the answer, in order: held while {@link #holding} (up to {@link #HOLD_LIMIT}), else written. */
  private void out(ByteBuf bytes) {
    if (!holding) {
      wire.write(bytes);
      return;
    }
    if (held == null) {
      held = new ArrayDeque<>(4);
    }
    held.addLast(bytes);
    heldBytes += bytes.readableBytes();
    if (heldBytes > HOLD_LIMIT) {
      // Past this, holding would defeat the client's back-pressure (its writability counts what was written).
      release();
    }
  }

  /** The answer's bytes so far go to the client: from here on, a failure can only cut it. */
  private void release() {
    if (holding) {
      holding = false;
      onEnd.answering();
      if (held != null) {
        ByteBuf bytes;
        while ((bytes = held.pollFirst()) != null) {
          wire.write(bytes);
        }
      }
    }
    // Only while nothing else is held (bytes that did not fit went out after it).
    if (pendingHead != null) {
      ByteBuf bytes = pendingHead;
      pendingHead = null;
      wire.write(bytes);
    }
  }

  /** A piece of the body; takes ownership. */
  private void writeBody(HttpContent content) {
    ByteBuf data = content.content();
    int size = data.readableBytes();
    if (pendingHead != null) {
      if (size <= pendingHead.writableBytes()) {
        pendingHead.writeBytes(data);
        data.release();
        return;
      }
      writePendingHead();
    }
    if (size == 0) {
      data.release();
    } else if (chunkedOut) {
      out(ResponseHeads.chunkSize(client.alloc(), size));
      out(data);
      out(ResponseHeads.chunkEnd());
    } else {
      out(data);
    }
  }

  /** The end of the body; takes ownership. */
  private void writeLast(LastHttpContent last) {
    writeBody(last);
    writePendingHead();
    if (chunkedOut) {
      out(ResponseHeads.lastChunk());
    }
    release();
  }

  private void completed() {
    finished = true;
    proxy.support.tunnels.answered(this);
    if (!requestEnded) {
      // The backend answered before the client finished sending: the rest of the body is not a
      // request, and reading it to the end could take forever.
      closeClient = true;
    }
    clearDeadline();
    DirectBackend.Connection connection = backend;
    backend = null;
    proxy.backend.release(connection, backendKeepAlive && requestForwarded);
    proxy.metrics.requestCompleted(status, System.nanoTime() - startNanos);
    clientUnflushed = false;
    int answered = status;
    if (closeClient) {
      client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    } else {
      client.flush();
      client.channel().config().setAutoRead(true);
    }
    onEnd.ended(closeClient, answered, bytesOut);
  }

  private void fail(ProxyFailure failure, Throwable cause) {
    if (finished) {
      return;
    }
    finished = true;
    // The answer's head went to the client (not held back with the rest of the read that brought it).
    boolean headSent = responding && !holding;
    proxy.support.tunnels.answered(this);
    clearDeadline();
    releaseUnsent();
    if (pendingHead != null) {
      pendingHead.release();
      pendingHead = null;
    }
    if (held != null) {
      ByteBuf bytes;
      while ((bytes = held.pollFirst()) != null) {
        bytes.release();
      }
    }
    if (backend != null) {
      // A half-used connection must not go back to the pool.
      DirectBackend.Connection connection = backend;
      backend = null;
      proxy.backend.release(connection, false);
    } else {
      // Still waiting for a connection (the client left): give up the place in the queue.
      proxy.backend.cancel(this);
    }
    proxy.support.log(failure, method, path, cause);
    proxy.metrics.failed(failure);
    int answered;
    if (failure == ProxyFailure.CLIENT_CLOSED) {
      answered = failure.status();
      closeClient = true;
    } else if (!headSent) {
      // Nothing of the backend's answer went out (its head is dropped with what came after it): the client gets
      // the gateway's own status, as on the router's path (ResponseRelay), not a head and a cut.
      answered = failure.status();
      sendError(failure);
    } else {
      // Too late for a status: cut the connection so the client cannot take a partial body for a whole one.
      answered = status;
      closeClient = true;
      client.close();
    }
    proxy.metrics.requestCompleted(answered, System.nanoTime() - startNanos);
    // The access log's 499 says the client left before its answer began, as the router's line and nginx say it;
    // once the head had gone out, the line has the status sent and the body bytes the client got.
    onEnd.ended(closeClient, failure == ProxyFailure.CLIENT_CLOSED && headSent ? status : answered, bytesOut);
  }

  private void sendError(ProxyFailure failure) {
    ErrorResponses.Body body = ErrorResponses.Body.of(failure.status());
    byte[] bytes = html ? body.htmlBytes() : body.jsonBytes();
    // No content for HEAD (RFC 9110 9.3.2), the length a GET would get, as Vert.x answers it on the router: the
    // encoder does not know the request's method, and bytes after the head would be read as the next answer.
    bytesOut = head ? 0 : bytes.length;
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(failure.status()), head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, html ? "text/html; charset=utf-8" : "application/json")
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .set("X-Content-Type-Options", "nosniff")
        .set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    if (hsts != null) {
      response.headers().set("Strict-Transport-Security", hsts);
    }
    if (html) {
      response.headers().set("Content-Security-Policy", ErrorResponses.PAGE_POLICY).set("X-Frame-Options", "DENY");
    }
    if (failure.status() == 503) {
      response.headers().set(HttpHeaderNames.RETRY_AFTER, ErrorResponses.RETRY_AFTER_SECONDS);
    }
    if (!requestEnded) {
      closeClient = true;
    }
    if (closeClient) {
      response.headers().set("Connection", "close");
      client.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else {
      client.writeAndFlush(response);
      client.channel().config().setAutoRead(true);
    }
  }

  private void releaseUnsent() {
    if (unsent != null) {
      HttpContent c;
      while ((c = unsent.pollFirst()) != null) {
        c.release();
      }
    }
  }

  private void clearDeadline() {
    if (deadline != null) {
      proxy.deadlines.clear(deadline);
      deadline = null;
    }
  }

  private static MultiMap asMultiMap(io.netty.handler.codec.http.HttpHeaders headers) {
    return headers instanceof MultiMap m ? m : new HeadersAdaptor(headers);
  }
}
