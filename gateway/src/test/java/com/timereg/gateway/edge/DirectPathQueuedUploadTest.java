package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import com.timereg.gateway.testsupport.TrustAllTls;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.io.OutputStream;
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
 * An upload on the direct path ({@code proxy.DirectExchange}) whose request waits for a backend connection: one
 * event loop, one backend connection, held by another request; the wait ends at the connect timeout (3 s, 504).
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class DirectPathQueuedUploadTest {
  static final String USER = "quentin@e2e.test";
  static final String PASSWORD = "Quentin-timesheets-2026";
  /** More than every buffer between the client and the gateway can hold (a 4 MiB send, a 32 MiB receive buffer). */
  static final int BODY = 64 << 20;

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
        "GATEWAY_BACKEND__CONNECT_TIMEOUT", "3s",
        "GATEWAY_PUBLIC__MAX_BODY_SIZE", "128m"));
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(20_000).hash(PASSWORD), true);
    token = gw.accessToken(USER, PASSWORD);
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw);
  }

  /**
   * While its request waits for a backend connection, the gateway stops reading an upload, as the router's path
   * leaves its request paused: the client is held up by TCP, and the gateway holds a buffer or two, not the body.
   * Before, the whole body was read into memory while the request waited (up to {@code public.max-body-size} for
   * each request in the wait queue): the client wrote all of its 64 MiB before the gateway's 504.
   */
  @Test
  void anUploadWaitingForABackendConnectionIsNotReadIntoMemory() throws Exception {
    try (SSLSocket holder = open("127.0.73.1")) {
      holder.getOutputStream().write(("GET /hold HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      holder.getOutputStream().flush();
      HELD.get(20, TimeUnit.SECONDS);

      long written = 0;
      IOException cut = null;
      try (SSLSocket uploader = open("127.0.73.2")) {
        OutputStream out = uploader.getOutputStream();
        out.write(("POST /upload HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
            + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + BODY + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        byte[] block = new byte[64 << 10];
        try {
          while (written < BODY) {
            out.write(block);
            written += block.length;
          }
          out.flush();
        } catch (IOException e) {
          // The gateway's 504 at the connect timeout closes the connection under the blocked write.
          cut = e;
        }
      }
      assertThat(written).as("body bytes the client could write while its request waited (of %d)", BODY)
          .isLessThan(BODY);
      assertThat(cut).isNotNull();
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

  /** A backend that holds the request for /hold unanswered and answers every other one at once. */
  private static int holdingBackend() {
    return Await.await(vertx.createNetServer().connectHandler(socket -> {
      StringBuilder received = new StringBuilder();
      socket.handler(data -> {
        if (received.length() < 65536) {
          received.append(data.toString(StandardCharsets.ISO_8859_1));
        }
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
}
