package com.timereg.gateway.proxy;

import static com.timereg.gateway.proxy.ProxyTestBed.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.testsupport.TrustAllTls;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The router's path (ProxyHandler) when it answers before the request's body was wanted or read. */
@ExtendWith(VertxExtension.class)
class RouterEarlyAnswerTest {

  private ProxyTestBed bed;

  /**
   * A request that expects 100 Continue, answered 502 before any 100 went out (the backend refuses connections):
   * its client has not sent the body and need not. Kept open, the connection waited for those bytes and took the
   * client's next request for them (or the body a client sends late for a request). The answer says
   * {@code Connection: close} and the connection closes after it.
   */
  @Test
  void anExpectContinueRequestAnsweredBeforeAny100ClosesTheConnection(Vertx vertx) throws Exception {
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(ProxyTestBed.closedPort(vertx)),
        ProxyTestBed.signedIn(ALICE));
    try (SSLSocket socket = open(bed.port)) {
      write(socket, "POST /api/timesheets HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
          + "Content-Length: 48\r\nExpect: 100-continue\r\n\r\n");

      String answer = readUntilClosed(socket);

      assertThat(answer).startsWith("HTTP/1.1 502 ");
      assertThat(answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase()).contains("connection: close");
    }
  }

  static SSLSocket open(int port) throws Exception {
    Socket plain = new Socket();
    plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    plain.setSoTimeout(10_000);
    SSLSocket socket = (SSLSocket) TrustAllTls.context().getSocketFactory().createSocket(plain, "localhost", port,
        true);
    socket.setEnabledProtocols(new String[] {"TLSv1.3"});
    socket.startHandshake();
    return socket;
  }

  static void write(SSLSocket socket, String text) throws Exception {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  /** Everything the gateway sends until it closes the connection (the socket's read timeout fails the test). */
  static String readUntilClosed(SSLSocket socket) throws Exception {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        all.write(buffer, 0, n);
      }
    } catch (java.net.SocketTimeoutException e) {
      throw new AssertionError("the connection stayed open after: " + all.toString(StandardCharsets.ISO_8859_1), e);
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }
}
