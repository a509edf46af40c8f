package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import com.timereg.gateway.testsupport.SourceClient;
import com.timereg.gateway.testsupport.TrustAllTls;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The direct path's wait queue for backend connections ({@code proxy.DirectBackend}), seen from real TLS
 * clients: one event loop, one backend connection, a wait queue of one.
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class DirectPathWaitQueueTest {
  static final String USER = "wanda@e2e.test";
  static final String PASSWORD = "Wanda-timesheets-2026";

  @TempDir static Path dir;
  static Vertx vertx;
  static E2eGateway gw;
  static String token;
  /** The backend's connection holding the request for /hold, unanswered. */
  static final CompletableFuture<NetSocket> HELD = new CompletableFuture<>();

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    gw = E2eGateway.start(dir, db, vertx, -1, Map.of(
        "GATEWAY_BACKEND__URL", "http://127.0.0.1:" + holdingBackend(),
        "GATEWAY_PUBLIC__EVENT_LOOPS", "1",
        "GATEWAY_BACKEND__MAX_CONNECTIONS", "1",
        "GATEWAY_BACKEND__MAX_WAIT_QUEUE", "1",
        "GATEWAY_BACKEND__CONNECT_TIMEOUT", "60s",
        // The start requires connect-timeout + response-timeout (30s) to end before the idle timeout.
        "GATEWAY_PUBLIC__IDLE_TIMEOUT", "2m"));
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(20_000).hash(PASSWORD), true);
    token = gw.accessToken(USER, PASSWORD);
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw);
  }

  /**
   * A client that leaves while its request waits for the only backend connection gives up its place in the
   * wait queue: the next client waits in it and is answered once the connection is free, rather than getting
   * 503 pool_busy while the departed client's place is kept until a connection comes for nobody.
   */
  @Test
  void aClientThatLeavesWhileQueuedGivesUpItsPlaceInTheWaitQueue() throws Exception {
    double direct = direct();
    try (SSLSocket holder = open("127.0.72.1")) {
      send(holder, "/hold");
      NetSocket held = HELD.get(20, TimeUnit.SECONDS);
      try (SSLSocket leaver = open("127.0.72.2")) {
        send(leaver, "/leaves");
        until(() -> direct() - direct >= 2);
      }
      until(() -> failures("client_closed") >= 1);

      CompletableFuture<String> next = CompletableFuture.supplyAsync(() -> {
        try (SSLSocket waiter = open("127.0.72.3")) {
          send(waiter, "/next");
          return readAll(waiter);
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      until(() -> direct() - direct >= 3 || next.isDone());
      held.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nheld");

      assertThat(RawTls.statuses(next.get(20, TimeUnit.SECONDS))).as("waited for the connection, not refused")
          .containsExactly(200);
      assertThat(failures("pool_busy")).isZero();
    }
  }

  private static SSLSocket open(String source) throws Exception {
    Socket plain = new Socket();
    plain.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
    plain.connect(new InetSocketAddress("127.0.0.1", gw.gateway.publicPort()), 5000);
    plain.setSoTimeout(20_000);
    SSLSocket socket = (SSLSocket) TrustAllTls.context().getSocketFactory().createSocket(plain, "localhost", 0, true);
    socket.startHandshake();
    return socket;
  }

  private static void send(SSLSocket socket, String path) throws Exception {
    socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  private static String readAll(SSLSocket socket) throws Exception {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    for (int n; (n = in.read(buffer)) >= 0; ) {
      all.write(buffer, 0, n);
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  /** Polls the gateway's metrics until {@code condition} holds (at most 20 s). */
  private static void until(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached");
      }
      Await.await(vertx.timer(10));
    }
  }

  /** A backend that holds the request for /hold unanswered and answers every other one at once. */
  private static int holdingBackend() {
    return Await.await(vertx.createNetServer().connectHandler(socket -> {
      StringBuilder received = new StringBuilder();
      socket.handler(data -> {
        received.append(data.toString(StandardCharsets.ISO_8859_1));
        int end;
        while ((end = received.indexOf("\r\n\r\n")) >= 0) {
          String line = received.substring(0, received.indexOf("\r\n"));
          received.delete(0, end + 4);
          if (line.startsWith("GET /hold ")) {
            HELD.complete(socket);
          } else {
            socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
          }
        }
      });
    }).listen(0, "127.0.0.1")).actualPort();
  }

  private static double failures(String kind) {
    String metrics = metrics();
    double sum = 0;
    for (String upstream : new String[] {"true", "false"}) {
      double value = SourceClient.sample(metrics,
          "gateway_proxy_failures_total{kind=\"" + kind + "\",upstream=\"" + upstream + "\"}");
      sum += Double.isNaN(value) ? 0 : value;
    }
    return sum;
  }

  private static double direct() {
    return SourceClient.sample(metrics(), "gateway_proxy_direct_total");
  }

  private static String metrics() {
    try (SourceClient admin = SourceClient.admin(vertx, gw.gateway.adminPort())) {
      return admin.metrics();
    }
  }
}
