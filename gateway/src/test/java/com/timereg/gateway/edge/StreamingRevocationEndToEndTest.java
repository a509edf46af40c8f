package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import com.timereg.gateway.testsupport.TrustAllTls;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A streaming answer (Server-Sent Events, a chunked answer that never ends) of a session that is then revoked:
 * like a WebSocket tunnel, it must stop within the revocation check's bound, on the connection's direct path and
 * on the router's (a percent-encoded path takes the router: {@code %73} is "s"), over HTTP/1.1 and HTTP/2, and
 * its backend request must be cancelled.
 *
 * <p>Behind the gateway, a raw backend that answers {@code /api/stream/KEY} with a chunked event stream, one event
 * every 100 ms until its connection closes, and reports that close under KEY.
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class StreamingRevocationEndToEndTest {
  static final String USER = "streamer@e2e.test";
  static final String PASSWORD = "Streamer-timesheets-2026";

  @TempDir static Path dir;
  static Vertx vertx;
  static E2eGateway gw;
  static final Map<String, Promise<Void>> BACKEND_CLOSED = new ConcurrentHashMap<>();

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    int port = Await.await(vertx.createNetServer().connectHandler(StreamingRevocationEndToEndTest::backend)
        .listen(0, "127.0.0.1")).actualPort();
    gw = E2eGateway.start(dir.resolve("gw"), db, vertx, -1, Map.of("GATEWAY_BACKEND__URL", "http://127.0.0.1:" + port));
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(20_000).hash(PASSWORD), true);
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw);
  }

  /**
   * The revoked session's stream ends (its connection is closed) and its backend request is cancelled; another
   * session of the same user streams on.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"/api/stream/, direct", "/api/%73tream/, router"})
  void anHttp11StreamOfARevokedSessionIsCutAndItsBackendRequestCancelled(String prefix, String key) throws Exception {
    String access = gw.accessToken(USER, PASSWORD);
    String other = gw.accessToken(USER, PASSWORD);
    try (SSLSocket revoked = open("127.0.77.1", prefix + key, access);
        SSLSocket kept = open("127.0.77.2", prefix + key + "-kept", other)) {
      assertThat(readUntil(revoked, "tick")).startsWith("HTTP/1.1 200 ");
      assertThat(readUntil(kept, "tick")).startsWith("HTTP/1.1 200 ");

      assertThat(gw.http.postJson("/logout", new JsonObject(), "Authorization", "Bearer " + access).status())
          .isEqualTo(204);

      assertThat(readUntilClosed(revoked)).as("the revoked session's stream ends").isTrue();
      Await.await(closed(key).future());
      assertThat(closed(key + "-kept").future().isComplete()).as("the other session's backend request").isFalse();
      assertThat(readUntil(kept, "tick")).as("the other session streams on").contains("tick");
    }
  }

  /** Over HTTP/2 (the router's path) the revoked session's stream is reset, and its backend request cancelled. */
  @Test
  void anHttp2StreamOfARevokedSessionIsResetAndItsBackendRequestCancelled() throws Exception {
    String access = gw.accessToken(USER, PASSWORD);
    HttpClientAgent h2 = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setSsl(true).setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2)
            .setTrustOptions(new PemTrustOptions().addCertPath(gw.certFile.toString()))
            .setDefaultHost("localhost").setDefaultPort(gw.gateway.publicPort()))
        .build();
    try {
      Promise<Void> firstEvent = Promise.promise();
      Promise<Throwable> ended = Promise.promise();
      h2.request(HttpMethod.GET, "/api/stream/h2")
          .compose(req -> req.putHeader("Authorization", "Bearer " + access).send())
          .onSuccess(resp -> {
            resp.handler(chunk -> firstEvent.tryComplete());
            resp.exceptionHandler(ended::tryComplete);
            resp.endHandler(v -> ended.tryFail("the stream ended as if complete"));
          })
          .onFailure(firstEvent::tryFail);
      Await.await(firstEvent.future());

      assertThat(gw.http.postJson("/logout", new JsonObject(), "Authorization", "Bearer " + access).status())
          .isEqualTo(204);

      assertThat(Await.await(ended.future())).isInstanceOf(StreamResetException.class);
      Await.await(closed("h2").future());
    } finally {
      Await.await(h2.close());
    }
  }

  private static Promise<Void> closed(String key) {
    return BACKEND_CLOSED.computeIfAbsent(key, k -> Promise.promise());
  }

  private static SSLSocket open(String source, String path, String bearer) throws Exception {
    Socket plain = new Socket();
    plain.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
    plain.connect(new InetSocketAddress("127.0.0.1", gw.gateway.publicPort()), 5000);
    plain.setSoTimeout(10_000);
    SSLSocket socket = (SSLSocket) TrustAllTls.context().getSocketFactory().createSocket(plain, "localhost", 0, true);
    socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
        + "Authorization: Bearer " + bearer + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
    return socket;
  }

  /** What arrives until {@code text} has (the socket's read timeout fails the test). */
  private static String readUntil(SSLSocket socket, String text) throws Exception {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    while (!all.toString(StandardCharsets.ISO_8859_1).contains(text)) {
      int n = in.read(buffer);
      assertThat(n).as("still open, read so far: " + all.toString(StandardCharsets.ISO_8859_1)).isPositive();
      all.write(buffer, 0, n);
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  /** Whether the gateway closes (or resets) the connection within 10 s, events arriving meanwhile or not. */
  private static boolean readUntilClosed(SSLSocket socket) throws Exception {
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    long deadline = System.nanoTime() + 10_000_000_000L;
    try {
      while (in.read(buffer) >= 0) {
        if (System.nanoTime() > deadline) {
          return false;
        }
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true;
    }
  }

  /** The raw backend: an endless event stream for {@code /.../KEY}, one event every 100 ms. */
  private static void backend(NetSocket socket) {
    StringBuilder received = new StringBuilder();
    socket.handler(data -> {
      received.append(data.toString(StandardCharsets.ISO_8859_1));
      int end = received.indexOf("\r\n\r\n");
      if (end < 0) {
        return;
      }
      String line = received.substring(0, received.indexOf("\r\n"));
      received.setLength(0);
      String target = line.substring(line.indexOf(' ') + 1, line.lastIndexOf(' '));
      String key = target.substring(target.lastIndexOf('/') + 1);
      socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n" + chunk("data: tick\n\n"));
      long timer = vertx.setPeriodic(100, id -> socket.write(chunk("data: tick\n\n")));
      socket.closeHandler(v -> {
        vertx.cancelTimer(timer);
        closed(key).tryComplete();
      });
    });
  }

  private static String chunk(String text) {
    return Integer.toHexString(text.length()) + "\r\n" + text + "\r\n";
  }
}
