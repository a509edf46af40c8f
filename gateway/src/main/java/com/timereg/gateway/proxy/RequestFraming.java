package com.timereg.gateway.proxy;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;

/**
 * How the client delimited its request body, as parsed from the request: a length, chunked, or (HTTP/2
 * without Content-Length) unknown until the stream ends. Framing the proxy cannot reproduce is rejected.
 *
 * @param length  the declared Content-Length, or -1
 * @param chunked whether HTTP/1.1 chunked transfer coding was used
 * @param valid   false for a transfer coding other than chunked or conflicting lengths
 */
record RequestFraming(long length, boolean chunked, boolean valid) {

  private static final RequestFraming UNKNOWN = new RequestFraming(-1, false, true);
  private static final RequestFraming CHUNKED = new RequestFraming(-1, true, true);
  private static final RequestFraming INVALID = new RequestFraming(-1, false, false);

  static RequestFraming of(HttpServerRequest request) {
    List<String> codings = request.headers().getAll(HttpHeaders.TRANSFER_ENCODING);
    List<String> lengths = request.headers().getAll(HttpHeaders.CONTENT_LENGTH);
    if (!codings.isEmpty()) {
      return codings.size() == 1 && codings.get(0).trim().equalsIgnoreCase("chunked") && lengths.isEmpty()
          ? CHUNKED : INVALID;
    }
    if (lengths.isEmpty()) {
      return UNKNOWN;
    }
    if (lengths.size() > 1) {
      return INVALID;
    }
    try {
      long length = Long.parseLong(lengths.get(0).trim());
      return length >= 0 ? new RequestFraming(length, false, true) : INVALID;
    } catch (NumberFormatException e) {
      return INVALID;
    }
  }

  /** Whether the request announced a body; an HTTP/2 body of unknown length cannot be told apart here. */
  boolean declaresBody() {
    return chunked || length > 0;
  }
}
