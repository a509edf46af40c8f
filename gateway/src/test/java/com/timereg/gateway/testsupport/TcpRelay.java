package com.timereg.gateway.testsupport;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 to a real server (PostgreSQL, say) that a test turns into the network failures a
 * timeout exists for: a server that stops answering without closing anything ({@link #freeze}), connections
 * cut off silently ({@link #cutOpenConnections}), a server that accepts but never says a word
 * ({@link #silenceNewConnections}), or one that refuses ({@link #refuseNewConnections}).
 */
public final class TcpRelay {
  private final List<AtomicBoolean> cut = new CopyOnWriteArrayList<>();
  private final List<NetSocket> sockets = new CopyOnWriteArrayList<>();
  /** The server side of each connection still open, whose reading {@link #holdOpenConnections} pauses. */
  private final List<NetSocket> upstreams = new CopyOnWriteArrayList<>();
  private final List<NetSocket> held = new CopyOnWriteArrayList<>();
  private final AtomicInteger opened = new AtomicInteger();
  private final AtomicInteger silenced = new AtomicInteger();
  private volatile boolean frozen;
  private volatile boolean silent;
  private volatile boolean refusing;
  private int port;

  private TcpRelay() {}

  /** A relay listening on a free port of 127.0.0.1, passing everything to {@code host:port}. */
  public static Future<TcpRelay> start(Vertx vertx, String host, int port) {
    TcpRelay relay = new TcpRelay();
    NetClient client = vertx.createNetClient();
    NetServer server = vertx.createNetServer().connectHandler(downstream -> relay.accept(client, downstream, host, port));
    return server.listen(0, "127.0.0.1").map(s -> {
      relay.port = s.actualPort();
      return relay;
    });
  }

  private void accept(NetClient client, NetSocket downstream, String host, int port) {
    if (refusing) {
      downstream.close();
      return;
    }
    if (silent) {
      silenced.incrementAndGet();
      downstream.handler(b -> { });
      return;
    }
    downstream.pause();
    AtomicBoolean dropped = new AtomicBoolean();
    cut.add(dropped);
    sockets.add(downstream);
    opened.incrementAndGet();
    client.connect(port, host).onComplete(ar -> {
      if (ar.failed()) {
        downstream.close();
        return;
      }
      NetSocket upstream = ar.result();
      downstream.handler(b -> {
        if (!frozen && !dropped.get()) {
          upstream.write(b);
        }
      });
      upstream.handler(b -> {
        if (!frozen && !dropped.get()) {
          downstream.write(b);
        }
      });
      upstreams.add(upstream);
      downstream.closeHandler(v -> upstream.close());
      upstream.closeHandler(v -> {
        upstreams.remove(upstream);
        downstream.close();
      });
      downstream.resume();
    });
  }

  public int port() {
    return port;
  }

  /** While frozen, every byte on every connection, open or new, is dropped both ways; nothing is closed. */
  public void freeze(boolean frozen) {
    this.frozen = frozen;
  }

  /** The connections open now drop every byte from here on, both ways; later connections pass. */
  public void cutOpenConnections() {
    cut.forEach(c -> c.set(true));
  }

  /** Closes the connections open now. */
  public void closeOpenConnections() {
    sockets.forEach(NetSocket::close);
    sockets.clear();
  }

  /**
   * What the server sends on the connections open now is held back (not read, so TCP keeps it: nothing is lost)
   * until {@link #releaseHeld}; the client's bytes still pass. Later connections pass both ways.
   */
  public void holdOpenConnections() {
    upstreams.forEach(u -> {
      u.pause();
      held.add(u);
    });
  }

  /** Delivers what {@link #holdOpenConnections} held back, in order, and everything after it. */
  public void releaseHeld() {
    held.forEach(NetSocket::resume);
    held.clear();
  }

  /** How many relayed connections are open now. */
  public int openNow() {
    return upstreams.size();
  }

  /** While silent, a new connection is accepted and never answered (nothing is relayed for it, ever). */
  public void silenceNewConnections(boolean silent) {
    this.silent = silent;
  }

  /** While refusing, a new connection is closed at once. */
  public void refuseNewConnections(boolean refusing) {
    this.refusing = refusing;
  }

  /** How many connections were relayed so far. */
  public int opened() {
    return opened.get();
  }

  /** How many connections were accepted and left unanswered while silent. */
  public int silenced() {
    return silenced.get();
  }
}
