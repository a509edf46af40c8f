package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code public.idle-timeout} after a WebSocket upgrade: the client's connection, now a tunnel, keeps the
 * listener's idle timeout. A tunnel on which nothing passes either way for that long is closed (as nginx's
 * {@code proxy_read_timeout} does); one over which the backend pings more often than that stays open, the
 * pings and their pongs passing through the gateway. The timeout here is 1 s.
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class QuietTunnelsEndToEndTest {
  /** Half the gateway's idle timeout. */
  static final long PING_EVERY_MS = 500;
  /** Pongs the ticking backend waits for: four idle timeouts' worth. */
  static final int PONGS = 8;

  @TempDir static Path dir;
  static Vertx vertx;
  static Vertx backendVertx;
  static HttpServer backend;
  static E2eGateway gw;
  static WebSocketClient ws;
  /** Completed by the ticking backend once its tunnel has carried {@link #PONGS} pongs back. */
  static final Promise<Void> pongsBack = Promise.promise();

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    backendVertx = Vertx.vertx();
    backend = Await.await(backendVertx.createHttpServer().webSocketHandler(QuietTunnelsEndToEndTest::backendSocket)
        .listen(0, "127.0.0.1"));
    gw = E2eGateway.start(dir, db, vertx, -1, Map.of(
        "GATEWAY_BACKEND__URL", "http://127.0.0.1:" + backend.actualPort(),
        "GATEWAY_BACKEND__PUBLIC_PATHS", "/ws/",
        // Shorter than the idle timeout together, as the start requires (a request kept waiting longer would be cut off).
        "GATEWAY_BACKEND__RESPONSE_TIMEOUT", "500ms",
        "GATEWAY_BACKEND__CONNECT_TIMEOUT", "300ms",
        "GATEWAY_THROTTLE__ACCOUNT_BASE_DELAY", "100ms",
        "GATEWAY_THROTTLE__ACCOUNT_MAX_DELAY", "500ms",
        "GATEWAY_PUBLIC__IDLE_TIMEOUT", "1s"));
    ws = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(gw.certFile.toString())));
  }

  /** The close code the backend's end of the /ws/told tunnel got. */
  static final Promise<Short> toldBackendClosed = Promise.promise();

  /** Echoes text; on /ws/ticking also pings every half idle timeout and counts the pongs that come back. */
  private static void backendSocket(ServerWebSocket socket) {
    socket.textMessageHandler(socket::writeTextMessage);
    if (socket.path().equals("/ws/told")) {
      socket.closeHandler(closed -> toldBackendClosed.tryComplete(socket.closeStatusCode()));
    }
    if (socket.path().equals("/ws/ticking")) {
      AtomicInteger pongs = new AtomicInteger();
      socket.pongHandler(pong -> {
        if (pongs.incrementAndGet() == PONGS) {
          pongsBack.tryComplete();
        }
      });
      long timer = backendVertx.setPeriodic(PING_EVERY_MS, id -> socket.writePing(Buffer.buffer("tick")));
      socket.closeHandler(closed -> backendVertx.cancelTimer(timer));
    }
  }

  @AfterAll
  static void stop() {
    if (ws != null) {
      Await.await(ws.close());
    }
    if (gw != null) {
      E2eGateway.closeAll(vertx, gw);
    }
    if (backendVertx != null) {
      Await.await(backendVertx.close());
    }
  }

  private static WebSocket open(String path) {
    return gw.http.await(() -> ws.connect(new WebSocketConnectOptions().setHost("localhost").setPort(gw.http.port())
        .setSsl(true).setURI(path)));
  }

  private static String echo(WebSocket socket, String text) {
    Promise<String> reply = Promise.promise();
    gw.http.await(() -> {
      socket.textMessageHandler(reply::tryComplete);
      return socket.writeTextMessage(text);
    });
    return Await.await(reply.future());
  }

  @Test
  void aTunnelQuietForTheIdleTimeoutIsClosed() {
    WebSocket socket = open("/ws/quiet");
    Promise<Void> closed = Promise.promise();
    socket.closeHandler(v -> closed.tryComplete());
    assertThat(echo(socket, "before the silence")).isEqualTo("before the silence");

    // Nothing either way from here on: the 1 s idle timeout ends the tunnel (Await gives it 20 s).
    Await.await(closed.future());
    assertThat(socket.isClosed()).isTrue();
  }

  /**
   * The idle timeout is the gateway's decision: both ends are told with a close frame, 1001 (going away), as
   * when the node stops, and neither sees an abnormal closure (1006) it would take for a network failure.
   */
  @Test
  void aTunnelQuietForTheIdleTimeoutEndsWith1001ToBothEnds() {
    WebSocket socket = open("/ws/told");
    Promise<Short> closed = Promise.promise();
    socket.closeHandler(v -> closed.tryComplete(socket.closeStatusCode()));
    assertThat(echo(socket, "before the silence")).isEqualTo("before the silence");

    assertThat(Await.await(closed.future())).as("the client's close code").isEqualTo((short) 1001);
    assertThat(Await.await(toldBackendClosed.future())).as("the backend's close code").isEqualTo((short) 1001);
  }

  @Test
  void aTunnelOverWhichTheBackendPingsMoreOftenThanTheIdleTimeoutStaysOpen() {
    WebSocket socket = open("/ws/ticking");
    Promise<Void> closed = Promise.promise();
    socket.closeHandler(v -> closed.tryComplete());

    // Eight pings, each answered by the client's pong, over four idle timeouts.
    Await.await(pongsBack.future());
    assertThat(closed.future().isComplete()).as("closed while the backend was pinging").isFalse();
    assertThat(echo(socket, "still here")).isEqualTo("still here");
    gw.http.await(socket::close);
  }
}
