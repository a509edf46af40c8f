package com.timereg.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The small, fixed bodies the client gets when the proxy cannot relay a response: HTML for browsers,
 * JSON for everything else. They never carry the cause; that goes to the log and metrics.
 */
final class ErrorResponses {

  /** Seconds a client should wait before retrying after 503: the pool frees up within a response time. */
  static final String RETRY_AFTER_SECONDS = "1";

  /**
   * The pages' Content-Security-Policy: they have no script, style or image, so nothing may load, and like the
   * login pages they may not be framed.
   */
  static final String PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'";

  private ErrorResponses() {}

  /** Sends the failure's status and body, unless a response head has already gone out. */
  static Future<Void> send(HttpServerRequest request, ProxyFailure failure) {
    HttpServerResponse response = request.response();
    if (response.headWritten() || response.closed()) {
      return Future.succeededFuture();
    }
    Body body = Body.of(failure.status());
    boolean html = wantsHtml(request.getHeader(HttpHeaders.ACCEPT));
    response.setStatusCode(failure.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, html ? "text/html; charset=utf-8" : "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader("X-Content-Type-Options", "nosniff");
    if (html) {
      response.putHeader("Content-Security-Policy", PAGE_POLICY).putHeader("X-Frame-Options", "DENY");
    }
    if (failure.status() == 503) {
      response.putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
    }
    return response.end(html ? body.html : body.json);
  }

  /** Browsers navigating ask for text/html; fetch and API clients ask for JSON or anything. */
  static boolean wantsHtml(String accept) {
    return accept != null && accept.contains("text/html");
  }

  enum Body {
    BAD_REQUEST(400, "bad_request", "Bad Request", "The request could not be forwarded."),
    METHOD_NOT_ALLOWED(405, "method_not_allowed", "Method Not Allowed", "This method is not forwarded."),
    TOO_MANY(429, "too_many_connections", "Too Many Requests",
        "Too many connections are open for this session. Close some and retry."),
    TOO_LARGE(413, "payload_too_large", "Payload Too Large", "The request body is larger than this service accepts."),
    INTERNAL(500, "internal_error", "Internal Server Error", "The gateway could not handle the request."),
    BAD_GATEWAY(502, "bad_gateway", "Bad Gateway", "The application is not reachable right now."),
    UNAVAILABLE(503, "service_unavailable", "Service Unavailable", "The application is busy. Please retry shortly."),
    TIMEOUT(504, "gateway_timeout", "Gateway Timeout", "The application did not answer in time.");

    final int status;
    final Buffer json;
    final Buffer html;

    Body(int status, String code, String title, String message) {
      this.status = status;
      this.json = Buffer.buffer("{\"error\":\"" + code + "\",\"status\":" + status + ",\"message\":\"" + message
          + "\"}");
      this.html = Buffer.buffer("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + status
          + " " + title + "</title></head><body><h1>" + title + "</h1><p>" + message + "</p></body></html>");
    }

    byte[] jsonBytes() {
      return json.getBytes();
    }

    byte[] htmlBytes() {
      return html.getBytes();
    }

    static Body of(int status) {
      for (Body body : values()) {
        if (body.status == status) {
          return body;
        }
      }
      return status >= 500 ? BAD_GATEWAY : BAD_REQUEST;
    }
  }
}
