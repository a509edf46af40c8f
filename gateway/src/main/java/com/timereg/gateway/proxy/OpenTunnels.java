package com.timereg.gateway.proxy;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The WebSocket tunnels of one proxy instance that a session opened, and the check that ends them once their
 * session is revoked. A tunnel may stay open for hours after its handshake was authenticated; logout, a
 * password change that ends the user's other sessions, or staff revoking a session must end it too, as they
 * end the session's requests. Every {@link #CHECK_MILLIS} while any is open, each tunnel's session is looked
 * up in the revocation list (in memory, fed from every node); a revoked one's client and backend connections
 * are closed (no WebSocket close frame: the tunnel carries raw bytes and may be in the middle of a frame).
 * Everything here runs on the proxy instance's event loop; the map is concurrent only so that a socket closed
 * during {@link #check} may leave it.
 */
final class OpenTunnels {
  static final long CHECK_MILLIS = 1_000;

  private final Vertx vertx;
  private final Predicate<String> sessionRevoked;
  private final Map<NetSocket, Tunnel> open = new ConcurrentHashMap<>();
  private long timer = -1;

  private record Tunnel(String session, NetSocket backend) {}

  /** @param sessionRevoked whether a session id was revoked (checked without the database) */
  OpenTunnels(Vertx vertx, Predicate<String> sessionRevoked) {
    this.vertx = vertx;
    this.sessionRevoked = sessionRevoked;
  }

  /** Watches a spliced tunnel of {@code session} (null: a public path's, which no revocation ends). */
  void opened(String session, NetSocket client, NetSocket backend) {
    if (session == null) {
      return;
    }
    open.put(client, new Tunnel(session, backend));
    if (timer < 0) {
      timer = vertx.setPeriodic(CHECK_MILLIS, id -> check());
    }
  }

  /** The tunnel of {@code client} has closed. */
  void closed(NetSocket client) {
    if (open.remove(client) != null && open.isEmpty() && timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void check() {
    open.forEach((client, tunnel) -> {
      if (sessionRevoked.test(tunnel.session())) {
        client.close();
        tunnel.backend().close();
      }
    });
  }
}
