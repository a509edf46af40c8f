package com.timereg.gateway.edge;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP connections of the listeners that drain at stop. Vert.x's {@code shutdown(grace)} tells the HTTP
 * connections it has at that moment to finish, then waits until every channel of the listener has closed or the
 * grace is over. A channel still in its TLS handshake is no HTTP connection yet and is told nothing: one that never
 * finished its handshake held the stop until Vert.x's handshake timeout, and one whose handshake ended after the
 * drain began became an idle connection that held it for the whole grace (or the idle timeout). Here the drain is
 * over once every HTTP connection has closed: those that appear during the drain are told to finish at once, and a
 * handshake still going on then, with nothing in flight, is not waited for.
 */
final class OpenConnections {
  private final Set<HttpConnection> open = ConcurrentHashMap.newKeySet();
  private final Promise<Void> drained = Promise.promise();
  /** The grace in milliseconds once the drain has begun, -1 before. */
  private volatile long graceMillis = -1;

  /** For a listener's {@code connectionHandler}. */
  void add(HttpConnection connection) {
    open.add(connection);
    Runnable closed = () -> {
      open.remove(connection);
      completeIfDrained();
    };
    // The channel's end rather than the connection's close handler: a connection turned into a tunnel (a WebSocket,
    // toNetSocket) is no HTTP connection any more, and Vert.x never calls that handler, so it would stay here.
    if (connection instanceof ConnectionBase base) {
      base.channel().closeFuture().addListener(f -> closed.run());
    } else {
      connection.closeHandler(v -> closed.run());
    }
    long grace = graceMillis;
    if (grace >= 0) {
      // Its handshake ended after the drain began: Vert.x's shutdown event went past it.
      connection.shutdown(grace, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Begins the drain: call before the listeners' {@code shutdown}. Completes when no HTTP connection is open any
   * more (requests in flight answered or cut by Vert.x at the end of the grace).
   */
  Future<Void> drain(long graceMillis) {
    this.graceMillis = graceMillis;
    completeIfDrained();
    return drained.future();
  }

  /** How many are open (for tests). */
  int size() {
    return open.size();
  }

  private void completeIfDrained() {
    if (graceMillis >= 0 && open.isEmpty()) {
      drained.tryComplete();
    }
  }
}
