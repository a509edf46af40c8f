package com.timereg.gateway.proxy;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Why the proxy could not relay a response, with the status the client gets and the name metrics use.
 * Exceptions are mapped to kinds here and nowhere else; the exception itself only reaches the log.
 */
public enum ProxyFailure {
  /** The backend refused the connection or its address does not resolve: it is down. */
  CONNECT_FAILED(502, "connect_failed"),
  /** No connection within the connect timeout: TCP connect, TLS handshake or waiting for a pool slot. */
  CONNECT_TIMEOUT(504, "connect_timeout"),
  /** The TLS handshake with the backend failed (untrusted certificate, wrong host name, protocol). */
  TLS_FAILED(502, "tls_failed"),
  /** Every connection is busy and the wait queue is full: shed load rather than queue without bound. */
  POOL_BUSY(503, "pool_busy"),
  /** The request was forwarded but no response head arrived within the response timeout. */
  RESPONSE_TIMEOUT(504, "response_timeout"),
  /** The backend closed or reset the connection before or while sending its response. */
  CONNECTION_RESET(502, "connection_reset"),
  /** The client went away before its response was complete; nobody receives the status (nginx's 499). */
  CLIENT_CLOSED(499, "client_closed"),
  /** The client's request framing cannot be forwarded faithfully (e.g. a transfer coding other than chunked). */
  BAD_FRAMING(400, "bad_framing"),
  /**
   * An earlier router step read the request body or let it end unpaused, so it cannot be forwarded.
   * A wiring bug in the gateway, answered rather than forwarded with a silently empty body.
   */
  BODY_CONSUMED(500, "body_consumed"),
  /** The request body is larger than {@code public.max-body-size}: declared up front, or counted while streaming. */
  BODY_TOO_LARGE(413, "body_too_large"),
  /** CONNECT (a tunnel to anywhere) or TRACE (echoes the request, cookies included): never forwarded. */
  METHOD_NOT_ALLOWED(405, "method_not_allowed"),
  /**
   * A WebSocket handshake of a session (on a public path: a client address) whose tunnels are at
   * {@code backend.max-tunnels-per-session}.
   */
  TOO_MANY_TUNNELS(429, "too_many_tunnels"),
  /**
   * The session of a request whose answer was still being relayed was revoked:
   * the answer is cut, its head already sent ({@link OpenTunnels}).
   */
  SESSION_ENDED(401, "session_ended");

  private final int status;
  private final String metricName;

  ProxyFailure(int status, String metricName) {
    this.status = status;
    this.metricName = metricName;
  }

  public int status() {
    return status;
  }

  public String metricName() {
    return metricName;
  }

  /** Whether the fault lies with the backend (or the way to it) rather than the request. */
  public boolean upstream() {
    return status >= 502;
  }

  /** Classifies a failure to obtain a backend connection (and thereby a request). */
  static ProxyFailure ofConnect(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConnectionPoolTooBusyException) {
        return POOL_BUSY;
      }
      // Netty's ConnectTimeoutException extends ConnectException: test it first.
      if (t instanceof ConnectTimeoutException || t instanceof TimeoutException) {
        return CONNECT_TIMEOUT;
      }
      if (t instanceof SSLException) {
        return TLS_FAILED;
      }
      if (t instanceof ConnectException || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException) {
        return CONNECT_FAILED;
      }
    }
    return CONNECT_FAILED;
  }

  /** Classifies a failure once a request is on its way to the backend. */
  static ProxyFailure ofExchange(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ResponseTimeoutException) {
        return RESPONSE_TIMEOUT;
      }
      if (t instanceof SSLException) {
        return TLS_FAILED;
      }
    }
    return CONNECTION_RESET;
  }

  /** Marks the response timeout; carries no stack trace because it is an expected outcome, not a bug. */
  static final class ResponseTimeoutException extends TimeoutException {
    ResponseTimeoutException(long millis) {
      super("no response head from the backend within " + millis + " ms");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
