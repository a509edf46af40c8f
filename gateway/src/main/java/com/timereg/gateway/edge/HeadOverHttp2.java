package com.timereg.gateway.edge;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.core.internal.http.HttpServerRequestWrapper;
import io.vertx.core.net.HostAndPort;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.util.Set;

/**
 * The answer to a HEAD over HTTP/2 without its body. Vert.x 5.0.7 leaves the body out of the answer to a HEAD on
 * HTTP/1.x, but on HTTP/2 sends it as DATA frames, which RFC 9113 8.1.1 forbids: curl (nghttp2) resets the stream
 * with PROTOCOL_ERROR. The request is wrapped before any step sees it, so every answer on its way (the gateway's
 * own pages and errors, refusals before routing, proxied answers) goes through {@link Response}, which drops what
 * is written and ends the stream with the head; head and status stay what a GET would get, as on HTTP/1.1.
 * Other requests are not wrapped and cost nothing.
 */
final class HeadOverHttp2 extends HttpServerRequestWrapper {
  private final Response response;

  private HeadOverHttp2(HttpServerRequestInternal request) {
    super(request);
    this.response = new Response(request.response());
  }

  /** {@code request} itself, unless it is a HEAD over HTTP/2. */
  static HttpServerRequest wrapIfHead(HttpServerRequest request) {
    return request.method() == HttpMethod.HEAD && request.version() == io.vertx.core.http.HttpVersion.HTTP_2
        && request instanceof HttpServerRequestInternal internal ? new HeadOverHttp2(internal) : request;
  }

  @Override
  public HttpServerResponse response() {
    return response;
  }

  /** Passes everything on but the body; fluent calls return this wrapper, so chained ones stay on it. */
  static final class Response implements HttpServerResponse {
    private final HttpServerResponse delegate;

    Response(HttpServerResponse delegate) {
      this.delegate = delegate;
    }

    // --- the body, left out ---

    @Override public Future<Void> write(Buffer data) { return dropped(); }
    @Override public Future<Void> write(String chunk, String enc) { return dropped(); }
    @Override public Future<Void> write(String chunk) { return dropped(); }
    @Override public Future<Void> end(String chunk) { return delegate.end(); }
    @Override public Future<Void> end(String chunk, String enc) { return delegate.end(); }
    @Override public Future<Void> end(Buffer chunk) { return delegate.end(); }
    @Override public Future<Void> end() { return delegate.end(); }
    @Override public Future<Void> sendFile(String filename, long offset, long length) { return delegate.end(); }
    @Override public Future<Void> sendFile(FileChannel channel, long offset, long length) { return delegate.end(); }
    @Override public Future<Void> sendFile(RandomAccessFile file, long offset, long length) { return delegate.end(); }

    private Future<Void> dropped() {
      if (delegate.ended()) {
        // As Vert.x does for a write after the end.
        throw new IllegalStateException("Response has already been written");
      }
      return Future.succeededFuture();
    }

    // --- the rest, passed on ---

    @Override public HttpServerResponse exceptionHandler(Handler<Throwable> handler) { delegate.exceptionHandler(handler); return this; }
    @Override public HttpServerResponse setWriteQueueMaxSize(int maxSize) { delegate.setWriteQueueMaxSize(maxSize); return this; }
    @Override public boolean writeQueueFull() { return delegate.writeQueueFull(); }
    @Override public HttpServerResponse drainHandler(Handler<Void> handler) { delegate.drainHandler(handler); return this; }
    @Override public int getStatusCode() { return delegate.getStatusCode(); }
    @Override public HttpServerResponse setStatusCode(int statusCode) { delegate.setStatusCode(statusCode); return this; }
    @Override public String getStatusMessage() { return delegate.getStatusMessage(); }
    @Override public HttpServerResponse setStatusMessage(String statusMessage) { delegate.setStatusMessage(statusMessage); return this; }
    @Override public HttpServerResponse setChunked(boolean chunked) { delegate.setChunked(chunked); return this; }
    @Override public boolean isChunked() { return delegate.isChunked(); }
    @Override public MultiMap headers() { return delegate.headers(); }
    @Override public HttpServerResponse putHeader(String name, String value) { delegate.putHeader(name, value); return this; }
    @Override public HttpServerResponse putHeader(CharSequence name, CharSequence value) { delegate.putHeader(name, value); return this; }
    @Override public HttpServerResponse putHeader(String name, Iterable<String> values) { delegate.putHeader(name, values); return this; }
    @Override public HttpServerResponse putHeader(CharSequence name, Iterable<CharSequence> values) { delegate.putHeader(name, values); return this; }
    @Override public MultiMap trailers() { return delegate.trailers(); }
    @Override public HttpServerResponse putTrailer(String name, String value) { delegate.putTrailer(name, value); return this; }
    @Override public HttpServerResponse putTrailer(CharSequence name, CharSequence value) { delegate.putTrailer(name, value); return this; }
    @Override public HttpServerResponse putTrailer(String name, Iterable<String> values) { delegate.putTrailer(name, values); return this; }
    @Override public HttpServerResponse putTrailer(CharSequence name, Iterable<CharSequence> value) { delegate.putTrailer(name, value); return this; }
    @Override public HttpServerResponse closeHandler(Handler<Void> handler) { delegate.closeHandler(handler); return this; }
    @Override public HttpServerResponse endHandler(Handler<Void> handler) { delegate.endHandler(handler); return this; }
    @Override public Future<Void> writeHead() { return delegate.writeHead(); }
    @Override public Future<Void> writeContinue() { return delegate.writeContinue(); }
    @Override public Future<Void> writeEarlyHints(MultiMap headers) { return delegate.writeEarlyHints(headers); }
    @Override public boolean ended() { return delegate.ended(); }
    @Override public boolean closed() { return delegate.closed(); }
    @Override public boolean headWritten() { return delegate.headWritten(); }
    @Override public HttpServerResponse headersEndHandler(Handler<Void> handler) { delegate.headersEndHandler(handler); return this; }
    @Override public HttpServerResponse bodyEndHandler(Handler<Void> handler) { delegate.bodyEndHandler(handler); return this; }
    @Override public long bytesWritten() { return delegate.bytesWritten(); }
    @Override public int streamId() { return delegate.streamId(); }
    @Override public Future<HttpServerResponse> push(HttpMethod method, HostAndPort authority, String path, MultiMap headers) {
      return delegate.push(method, authority, path, headers);
    }
    @Override public Future<Void> reset(long code) { return delegate.reset(code); }
    @Override public Future<Void> writeCustomFrame(int type, int flags, Buffer payload) {
      return delegate.writeCustomFrame(type, flags, payload);
    }
    @Override public HttpServerResponse setStreamPriority(io.vertx.core.http.StreamPriority streamPriority) {
      delegate.setStreamPriority(streamPriority);
      return this;
    }
    @Override public HttpServerResponse addCookie(Cookie cookie) { delegate.addCookie(cookie); return this; }
    @Override public Cookie removeCookie(String name, boolean invalidate) { return delegate.removeCookie(name, invalidate); }
    @Override public Set<Cookie> removeCookies(String name, boolean invalidate) { return delegate.removeCookies(name, invalidate); }
    @Override public Cookie removeCookie(String name, String domain, String path, boolean invalidate) {
      return delegate.removeCookie(name, domain, path, invalidate);
    }
  }
}
