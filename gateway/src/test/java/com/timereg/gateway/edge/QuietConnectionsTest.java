package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every listener closes a connection that stays silent for {@code public.idle-timeout}, not only the public
 * one: the plain-HTTP redirect listener faces the internet too, and held-open connections there (or on the
 * admin listener) would use up file descriptors for ever.
 */
@ExtendWith(PostgresExtension.class)
class QuietConnectionsTest {
  @TempDir static Path dir;
  static Gateway gateway;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    gateway = Gateway.start(TestGateways.config(dir, db, Map.of(
        // Shorter than the idle timeout together, as the start requires (a request kept waiting longer would be cut off).
        "GATEWAY_BACKEND__RESPONSE_TIMEOUT", "500ms",
        "GATEWAY_BACKEND__CONNECT_TIMEOUT", "300ms",
        "GATEWAY_THROTTLE__ACCOUNT_BASE_DELAY", "100ms",
        "GATEWAY_THROTTLE__ACCOUNT_MAX_DELAY", "500ms",
        "GATEWAY_PUBLIC__IDLE_TIMEOUT", "1s",
        "GATEWAY_HTTP_REDIRECT__ENABLED", "true")));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  @Test
  void theRedirectListenerClosesASilentConnection() throws IOException {
    assertClosedWhenSilent(gateway.redirectPort(), "");
    assertClosedWhenSilent(gateway.redirectPort(), "GET / HTTP/1.1\r\nHost: a");
  }

  @Test
  void theAdminListenerClosesASilentConnection() throws IOException {
    assertClosedWhenSilent(gateway.adminPort(), "");
    assertClosedWhenSilent(gateway.adminPort(), "GET /health/live HTTP/1.1\r\nHost: a");
  }

  /** Sends {@code start} (maybe nothing) and then nothing more: the listener must end the connection. */
  private static void assertClosedWhenSilent(int port, String start) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      // Far beyond the 1 s idle timeout, yet a bound: a listener without one would keep it for ever.
      socket.setSoTimeout(15_000);
      socket.getOutputStream().write(start.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      try {
        int b;
        do {
          b = in.read();
        } while (b != -1);
      } catch (SocketTimeoutException e) {
        throw new AssertionError("port " + port + " kept a silent connection open for 15 s", e);
      } catch (IOException reset) {
        // a reset is a close too
      }
    }
  }
}
