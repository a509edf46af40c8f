package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin and redirect listeners bind the configured host only: a loopback admin listener must
 * not also answer on the machine's other addresses. Tested with two loopback addresses, since
 * tests connect to 127.0.0.0/8 only.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class ListenerBindingTest {
  @TempDir Path dir;

  @Test
  void adminAndRedirectListenersAnswerOnlyOnTheirConfiguredHost(TestDatabase db) throws Exception {
    Gateway g = Gateway.start(TestGateways.config(dir, db, Map.of(
        "GATEWAY_ADMIN__HOST", "127.0.0.2",
        "GATEWAY_HTTP_REDIRECT__ENABLED", "true",
        "GATEWAY_HTTP_REDIRECT__HOST", "127.0.0.3")));
    try {
      assertThat(statusLine("127.0.0.2", g.adminPort(), "/health/live")).contains(" 200 ");
      assertThatThrownBy(() -> statusLine("127.0.0.1", g.adminPort(), "/health/live")).isInstanceOf(ConnectException.class);
      assertThat(statusLine("127.0.0.3", g.redirectPort(), "/")).contains(" 308 ");
      assertThatThrownBy(() -> statusLine("127.0.0.1", g.redirectPort(), "/")).isInstanceOf(ConnectException.class);
    } finally {
      g.stop();
    }
  }

  private static String statusLine(String host, int port, String path) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 5000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      return text.substring(0, text.indexOf("\r\n"));
    }
  }
}
