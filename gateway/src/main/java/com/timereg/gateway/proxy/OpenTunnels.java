package com.timereg.gateway.proxy;

import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.NetSocket;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The WebSocket tunnels of one proxy instance that a session opened, and the check that ends them once their
 * session has ended for them. A tunnel may stay open for hours after its handshake was authenticated, but it
 * carries no credentials after it: logout, a password change that ends the user's other sessions, staff
 * revoking a session, and the expiry of the access token that authenticated the handshake (which no access
 * token outlives the session's absolute timeout) must end it too, as they end the session's requests. Every
 * {@link #CHECK_MILLIS} while any is open, each tunnel's session is looked up in the revocation list (in
 * memory, fed from every node) and its expiry compared with the injected clock; an ended one is closed with
 * the WebSocket close code 1008 (policy violation), told to each side whose stream is between frames, without a
 * close frame otherwise ({@link WebSocketTunnel}). Everything here runs on the proxy instance's event loop; the map
 * is concurrent only so that a socket closed during {@link #check} may leave it.
 *
 * <p>The same holds for an HTTP answer still being relayed (Server-Sent Events, a long download, a chunked answer
 * that never ends): from its head on it is watched here too, and an ended session's answer is cut (its HTTP/1.1
 * connection closed, its HTTP/2 stream reset) and its backend request cancelled, on both paths to the backend.
 * The timer stops at the first check that finds nothing open, not at each answer's end: most answers end within
 * a second, and would otherwise set and cancel a timer each.
 */
final class OpenTunnels {
  static final long CHECK_MILLIS = 1_000;

  private final Vertx vertx;
  /**
   * The context this instance was made on, whose event loop runs the checks: the direct path registers its answers
   * from the connection's pipeline, on the same thread but outside any Vert.x context, where {@code
   * vertx.setPeriodic} would pick another event loop.
   */
  private final ContextInternal home;
  private final Predicate<String> sessionRevoked;
  private final Clock clock;
  private final Map<Object, Tunnel> open = new ConcurrentHashMap<>();
  private long timer = -1;

  private record Tunnel(String session, Instant expires, Runnable end) {}

  /**
   * @param sessionRevoked whether a session id was revoked (checked without the database)
   * @param clock the sessions' clock, which decides when an access token has expired
   */
  OpenTunnels(Vertx vertx, Predicate<String> sessionRevoked, Clock clock) {
    this.vertx = vertx;
    this.home = ContextInternal.current();
    this.sessionRevoked = sessionRevoked;
    this.clock = clock;
  }

  /**
   * Watches a spliced tunnel of {@code session} (null: a public path's, which no session ends).
   *
   * @param expires when the credentials of the handshake expire (null: never)
   * @param end closes both of the tunnel's connections
   */
  void opened(String session, Instant expires, NetSocket client, Runnable end) {
    watch(session, expires, client, end);
  }

  /**
   * Watches an answer of {@code session} being relayed (null: a public path's, which no session ends), until
   * {@link #answered}: cut when the session is revoked. Not when the access token of its request expires, as a
   * tunnel is: a live session's does every few minutes, and a download that outlasted it would break.
   *
   * @param end cuts the answer and cancels its backend request
   */
  void answering(String session, Object exchange, Runnable end) {
    watch(session, null, exchange, end);
  }

  /** The answer of {@code exchange} has ended (or was never watched). */
  void answered(Object exchange) {
    open.remove(exchange);
  }

  private void watch(String session, Instant expires, Object client, Runnable end) {
    if (session == null) {
      return;
    }
    open.put(client, new Tunnel(session, expires, end));
    if (timer < 0) {
      timer = home == null ? vertx.setPeriodic(CHECK_MILLIS, id -> check()) : home.setPeriodic(CHECK_MILLIS, id -> check());
    }
  }

  /** The tunnel of {@code client} has closed. */
  void closed(NetSocket client) {
    open.remove(client);
  }

  private void stopWhenNoneOpen() {
    if (open.isEmpty() && timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void check() {
    Instant now = clock.instant();
    open.forEach((client, tunnel) -> {
      if ((tunnel.expires() != null && !now.isBefore(tunnel.expires())) || sessionRevoked.test(tunnel.session())) {
        open.remove(client);
        tunnel.end().run();
      }
    });
    stopWhenNoneOpen();
  }
}
