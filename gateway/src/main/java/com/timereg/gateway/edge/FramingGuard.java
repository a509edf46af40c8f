package com.timereg.gateway.edge;

import io.vertx.core.http.HttpServerRequest;
import java.util.List;

/**
 * Rejects ambiguous HTTP/1 message framing before any other work: both Content-Length and
 * Transfer-Encoding, or several Content-Length values. Force-close rather than answer 400: once
 * framing is ambiguous we cannot trust where this request's body ends, and answering would keep a
 * connection whose next "request" may be smuggled bytes (request smuggling via a backend that
 * frames differently).
 */
final class FramingGuard {
  private FramingGuard() {}

  static boolean ambiguous(HttpServerRequest req) {
    List<String> lengths = req.headers().getAll("Content-Length");
    // Transfer-Encoding matters only beside a Content-Length: no second header lookup per request otherwise.
    return ambiguous(lengths, !lengths.isEmpty() && req.headers().contains("Transfer-Encoding"));
  }

  /** The rule itself, over a request's Content-Length values and whether it has Transfer-Encoding. */
  static boolean ambiguous(List<String> contentLengths, boolean transferEncoding) {
    if (contentLengths.size() > 1 || (contentLengths.size() == 1 && contentLengths.get(0).contains(","))) {
      return true;
    }
    return !contentLengths.isEmpty() && transferEncoding;
  }
}
