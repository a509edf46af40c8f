package com.timereg.gateway.edge;

import io.vertx.core.http.HttpServerRequest;
import java.util.List;

/**
 * Refuses HTTP/1 message framing that the gateway and a backend could read differently, before any other
 * work: both Content-Length and Transfer-Encoding ({@link StrictRequestDecoder} keeps both visible), several
 * Content-Length values, or a transfer coding other than a single {@code chunked}. The answer is 400 and the
 * connection is closed at once: where this request's body ends cannot be trusted, so the bytes after it are
 * not taken for requests (pipelined ones included), which is what a request smuggled past the gateway
 * would be.
 */
final class FramingGuard {
  private FramingGuard() {}

  static boolean ambiguous(HttpServerRequest req) {
    List<String> codings = req.headers().getAll("Transfer-Encoding");
    List<String> lengths = req.headers().getAll("Content-Length");
    return ambiguous(lengths, codings);
  }

  /** The rule itself, over a request's Content-Length values and its Transfer-Encoding values. */
  static boolean ambiguous(List<String> contentLengths, List<String> transferCodings) {
    if (contentLengths.size() > 1 || (contentLengths.size() == 1 && contentLengths.get(0).contains(","))) {
      return true;
    }
    if (transferCodings.isEmpty()) {
      return false;
    }
    // The gateway forwards chunked bodies and nothing else; a length beside it is the classic smuggling set-up.
    return !contentLengths.isEmpty() || transferCodings.size() > 1
        || !transferCodings.get(0).trim().equalsIgnoreCase("chunked");
  }

  /** Answers 400 and closes the connection. */
  static void refuse(HttpServerRequest request) {
    PublicRouter.jsonAndClose(request, 400, "bad_request",
        "The request's length is ambiguous (Content-Length and Transfer-Encoding) or uses a transfer coding other than chunked.");
  }
}
