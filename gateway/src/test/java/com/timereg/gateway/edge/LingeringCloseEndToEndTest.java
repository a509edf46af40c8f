package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import com.timereg.gateway.testsupport.TrustAllTls;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Answers the gateway gives before it has read a request's body, and after which it closes the connection, while
 * the client is still uploading (docs/proxy.md, "Lingering close"). Closed at once, with the client's bytes unread
 * in the kernel or still arriving, the connection was reset (TCP RST): the client, busy writing, saw "connection
 * reset" and lost the answer it had already been sent. The gateway half-closes instead and drops what still comes
 * for a bounded time, so the client reads the answer and then the end of the stream.
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class LingeringCloseEndToEndTest {
  static final String USER = "linger@e2e.test";
  static final String PASSWORD = "Linger-timesheets-2026";
  /** The length the uploads declare. */
  static final int UPLOAD = 4 * 1024 * 1024;
  /** The body bytes the client writes with the head before it reads. */
  static final int BURST = 4 * 1024 * 1024;

  @TempDir static Path dir;
  static Vertx vertx;
  static E2eGateway gw;
  /** A gateway whose backend refuses connections. */
  static E2eGateway dead;
  static String token;
  static String deadToken;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    gw = E2eGateway.start(dir.resolve("gw"), db, vertx, 0, Map.of());
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(20_000).hash(PASSWORD), true);
    token = gw.accessToken(USER, PASSWORD);
    dead = E2eGateway.start(dir.resolve("dead"), db, vertx, -1, Map.of());
    deadToken = dead.accessToken(USER, PASSWORD);
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw, dead);
  }

  /** A declared length over public.max-body-size: 413 and the connection closes, the body unread. */
  @RepeatedTest(3)
  void a413ForABodyOverTheLimitReachesAClientStillUploading() throws Exception {
    Upload u = upload(gw, "127.0.81.1", "POST /api/timesheets HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
        + token + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 104857600\r\n\r\n");
    assertThat(u.writeFailure()).as("the upload, then read %s", u.text()).isNull();
    assertThat(u.failure()).as("read %s", u.text()).isNull();
    assertThat(u.text()).startsWith("HTTP/1.1 413 ");
  }

  /**
   * The direct path ({@code ConnectionFastPath}): an upload within the limit, relayed in the connection, whose
   * backend refuses it: 502 with {@code Connection: close} before the body was read.
   */
  @RepeatedTest(3)
  void aDirectPath502ReachesAClientStillUploading() throws Exception {
    Upload u = upload(dead, "127.0.81.4", "POST /api/timesheets HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
        + deadToken + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + UPLOAD + "\r\n\r\n");
    assertThat(u.writeFailure()).as("the upload, then read %s", u.text()).isNull();
    assertThat(u.failure()).as("read %s", u.text()).isNull();
    assertThat(u.text()).startsWith("HTTP/1.1 502 ");
  }

  /** An Expect: 100-continue request refused before any 100, whose client sends its body without waiting. */
  @RepeatedTest(3)
  void aRefusedExpectContinueRequestsAnswerReachesAClientThatSendsItsBodyAnyway() throws Exception {
    Upload u = upload(gw, "127.0.81.3", "POST /api/timesheets HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
        + "Content-Type: application/octet-stream\r\nContent-Length: " + UPLOAD + "\r\nExpect: 100-continue\r\n\r\n");
    assertThat(u.writeFailure()).as("the upload, then read %s", u.text()).isNull();
    assertThat(u.failure()).as("read %s", u.text()).isNull();
    assertThat(u.text()).startsWith("HTTP/1.1 401 ");
  }

  /**
   * The session gate's 401 to an upload without a session (an app whose token was lost, a script): the body was
   * left unread, paused, so a connection the client asked to close was never closed and its upload never ended.
   */
  @org.junit.jupiter.api.Test
  @org.junit.jupiter.api.Timeout(60)
  void anUploadAnsweredByTheSessionGateEndsAsTheClientAsked() throws Exception {
    Upload u = upload(gw, "127.0.81.5", "POST /api/timesheets HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
        + "Content-Type: application/octet-stream\r\nContent-Length: " + UPLOAD + "\r\nConnection: close\r\n\r\n");
    assertThat(u.writeFailure()).as("the upload, then read %s", u.text()).isNull();
    assertThat(u.failure()).as("read %s", u.text()).isNull();
    assertThat(u.text()).startsWith("HTTP/1.1 401 ");
  }

  /** The same on a connection kept alive: the next request on it is answered, not stuck behind the unread body. */
  @org.junit.jupiter.api.Test
  @org.junit.jupiter.api.Timeout(60)
  void theNextRequestAfterAnUploadAnsweredByTheSessionGateIsAnswered() throws Exception {
    int length = 512 * 1024;
    try (Socket plain = new Socket()) {
      plain.bind(new InetSocketAddress(InetAddress.getByName("127.0.81.6"), 0));
      plain.connect(new InetSocketAddress("127.0.0.1", gw.gateway.publicPort()), 5000);
      plain.setSoTimeout(20_000);
      try (SSLSocket socket = (SSLSocket) TrustAllTls.context().getSocketFactory()
          .createSocket(plain, "localhost", 0, true)) {
        socket.startHandshake();
        OutputStream out = socket.getOutputStream();
        out.write(("POST /api/timesheets HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
            + "Content-Type: application/octet-stream\r\nContent-Length: " + length + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[length]);
        out.write("GET /login HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder read = new StringBuilder();
        byte[] buffer = new byte[8192];
        while (read.indexOf("HTTP/1.1 200 ") < 0) {
          int n = in.read(buffer);
          assertThat(n).as("the connection ended before the second answer; read %s", read).isPositive();
          read.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
        }
        assertThat(read.toString()).startsWith("HTTP/1.1 401 ");
      }
    }
  }

  /**
   * A client that pipelined several complete requests, the first asking to close: the gateway answers the first
   * and closes with the others unread. Closed at once, the unread bytes made the kernel reset the connection, and
   * the reset destroyed the answer the client had not read yet (RFC 9112, section 9.6).
   */
  @RepeatedTest(3)
  void theAnswerToTheFirstOfPipelinedRequestsReachesAClientThatReadsLate() throws Exception {
    int othersOpen = gw.gateway.openConnections();
    try (SSLSocket socket = tls13From("127.0.81.7")) {
      ByteArrayOutputStream requests = new ByteArrayOutputStream();
      requests.write(("GET /api/blob?size=65536 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      byte[] next = "GET /login HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
      while (requests.size() < BURST) {
        requests.write(next);
      }
      // One write, from a thread of its own: the gateway reads (and drops) the pipelined requests while it
      // answers the first, and what it has not read yet when it closes is unread in its kernel buffer.
      OutputStream out = socket.getOutputStream();
      Thread writer = new Thread(() -> {
        try {
          out.write(requests.toByteArray());
          out.flush();
        } catch (IOException e) {
          // The connection ended first: what matters is what the client could read.
        }
      });
      writer.start();
      // Reads only once the gateway has closed its side, as a slow client does.
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (gw.gateway.openConnections() > othersOpen && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream read = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      IOException failure = null;
      try {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          read.write(buffer, 0, n);
        }
      } catch (IOException e) {
        failure = e;
      }
      String text = read.toString(StandardCharsets.ISO_8859_1);
      assertThat(failure).as("read %d bytes: %.200s", text.length(), text).isNull();
      assertThat(text).startsWith("HTTP/1.1 200 ");
      assertThat(text.length() - text.indexOf("\r\n\r\n") - 4).isEqualTo(65536);
      writer.join(10_000);
    }
  }

  /**
   * A request relayed on the direct path ({@code ConnectionFastPath}, the backend's answer written past Vert.x's
   * encoder) that asked to close, and nothing after it: every request was answered, so the connection closes at once.
   * The relayed answer was not counted, so the request was taken for unanswered and the close lingered, the connection
   * held until the client closed its side or 5 s had passed.
   */
  @RepeatedTest(3)
  void aConnectionClosedAfterARelayedAnswerDoesNotLinger() throws Exception {
    long lingeredBefore = gw.gateway.lingeringCloses();
    try (SSLSocket socket = tls13From("127.0.81.8")) {
      OutputStream out = socket.getOutputStream();
      out.write(("GET /api/blob?size=1024 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // To the end of the stream, the client's side still open: the gateway has decided how to close by then (a
      // lingering close is counted before its FIN goes out).
      String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(text).startsWith("HTTP/1.1 200 ");
      assertThat(text.length() - text.indexOf("\r\n\r\n") - 4).isEqualTo(1024);
      assertThat(gw.gateway.lingeringCloses()).as("closes that lingered").isEqualTo(lingeredBefore);
    }
  }

  /** A TLS 1.3 connection to the gateway's public listener from {@code source}, handshake done, reads bounded. */
  private static SSLSocket tls13From(String source) throws Exception {
    Socket plain = new Socket();
    try {
      plain.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
      plain.connect(new InetSocketAddress("127.0.0.1", gw.gateway.publicPort()), 5000);
      plain.setSoTimeout(10_000);
      SSLSocket socket = (SSLSocket) TrustAllTls.context().getSocketFactory().createSocket(plain, "localhost", 0, true);
      socket.setEnabledProtocols(new String[] {"TLSv1.3"});
      socket.startHandshake();
      return socket;
    } catch (Exception e) {
      plain.close();
      throw e;
    }
  }

  /** What the client read until the end of the stream, or the error that ended its reading. */
  record Upload(String text, IOException failure, IOException writeFailure) {}

  /**
   * Writes {@code head} and {@link #BURST} body bytes in one go, as a client uploads before it looks for an answer
   * (curl, browsers, Python requests), then reads the answer until the server's end of the stream. The burst is
   * written before the gateway's answer can be read, so its bytes are unread in the gateway's kernel buffer, or
   * still on their way, when it closes.
   */
  private static Upload upload(E2eGateway g, String source, String head) throws Exception {
    try (Socket plain = new Socket()) {
      plain.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
      plain.connect(new InetSocketAddress("127.0.0.1", g.gateway.publicPort()), 5000);
      plain.setSoTimeout(10_000);
      // A small send buffer, as on a slow uplink: the burst cannot hide in the client's kernel, only the gateway
      // reading it lets the write end.
      plain.setSendBufferSize(64 * 1024);
      try (SSLSocket socket = (SSLSocket) TrustAllTls.context().getSocketFactory()
          .createSocket(plain, "localhost", 0, true)) {
        socket.setEnabledProtocols(new String[] {"TLSv1.3"});
        socket.startHandshake();
        OutputStream out = socket.getOutputStream();
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.write(head.getBytes(StandardCharsets.US_ASCII));
        request.write(new byte[BURST]);
        IOException writeFailure = null;
        try {
          out.write(request.toByteArray());
          out.flush();
        } catch (IOException e) {
          // What curl and Python requests report instead of the answer.
          writeFailure = e;
        }
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
          for (int n; (n = in.read(buffer)) >= 0; ) {
            read.write(buffer, 0, n);
          }
          return new Upload(read.toString(StandardCharsets.ISO_8859_1), null, writeFailure);
        } catch (IOException e) {
          return new Upload(read.toString(StandardCharsets.ISO_8859_1), e, writeFailure);
        }
      }
    }
  }
}
