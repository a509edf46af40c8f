package com.timereg.gateway.store;

import io.vertx.pgclient.SslMode;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles {@code sslmode=prefer} once, at start-up, by asking the server whether it speaks TLS.
 *
 * <p>Why: for {@link SslMode#PREFER} the Vert.x PostgreSQL client (5.0.7) opens a connection, asks for TLS,
 * and on the server's "no" opens a second connection in plain text without closing the first. The server keeps
 * the abandoned one as a backend waiting for a startup message until {@code authentication_timeout} (60 s by
 * default): one stray server process per connection the pool ever opens, which counts against the server's
 * connection slots, and a server shutdown waits for all of them (a restart of PostgreSQL then takes a minute).
 * Asked once, the answer decides the mode the pool and the listeners use: plain text ({@link SslMode#DISABLE})
 * when the server has no TLS, {@code prefer} unchanged when it has (the client then keeps its first
 * connection). Every other mode is used as configured.
 */
public final class TlsOffer {
  /** PostgreSQL's SSLRequest code (protocol 1234.5679). */
  private static final int SSL_REQUEST = 80877103;
  private static final Logger LOG = LoggerFactory.getLogger(TlsOffer.class);

  private TlsOffer() {}

  /**
   * The settings with {@code prefer} settled by asking the server; unchanged for any other mode, or when the
   * server cannot be asked (the client's own {@code prefer} then decides per connection).
   */
  public static DatabaseSettings settle(DatabaseSettings settings) {
    if (settings.sslMode() != SslMode.PREFER) {
      return settings;
    }
    ConnectionSettings c = settings.connection();
    try {
      boolean offered = offered(c.host(), c.port(), settings.connectTimeout());
      LOG.info("database.ssl-mode prefer: {}:{} {}", c.host(), c.port(),
          offered ? "offers TLS; connections ask for it" : "offers no TLS; connections use plain text");
      return offered ? settings
          : settings.withSslMode(SslMode.DISABLE);
    } catch (IOException e) {
      LOG.warn("database.ssl-mode prefer: could not ask {}:{} whether it offers TLS ({}); deciding per connection",
          c.host(), c.port(), e.toString());
      return settings;
    }
  }

  /** True when the server answers an SSLRequest with 'S', false for 'N'. */
  static boolean offered(String host, int port, Duration timeout) throws IOException {
    int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), millis);
      socket.setSoTimeout(millis);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(8);
      out.writeInt(SSL_REQUEST);
      out.flush();
      int answer = new DataInputStream(socket.getInputStream()).read();
      return switch (answer) {
        case 'S' -> true;
        case 'N' -> false;
        default -> throw new IOException("unexpected answer to an SSLRequest: " + answer);
      };
    }
  }
}
