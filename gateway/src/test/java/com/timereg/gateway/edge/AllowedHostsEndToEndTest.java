package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code public.allowed-hosts}: a request naming a host nobody configured, in its Host header or in an
 * absolute-form target, is answered 400 before any other step, logged in or not, on the direct path
 * (a plain path) and through the router (a percent-encoded one), so the backend never builds links for it.
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class AllowedHostsEndToEndTest {
  static final String USER = "hosts@e2e.test";
  static final String PASSWORD = "Hosts-timesheets-2026";

  @TempDir static Path dir;
  static Vertx vertx;
  static E2eGateway gw;
  static String token;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    gw = E2eGateway.start(dir.resolve("gw"), db, vertx, 0,
        Map.of("GATEWAY_PUBLIC__ALLOWED_HOSTS", ".example.test,time.example.test,localhost", "GATEWAY_HTTP_REDIRECT__ENABLED", "true"));
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(20_000).hash(PASSWORD), true);
    token = gw.accessToken(USER, PASSWORD);
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw);
  }

  @ParameterizedTest(name = "{0} {1} Host: {2}")
  @CsvSource({
      "/api/me, /api/me, localhost, 200",
      "/api/me, /api/me, LOCALHOST:8443, 200",
      "/api/me, /api/me, time.example.test, 200",
      "/api/me, /api/me, example.test, 200",
      "/api/me, /api/me, evil.example, 400",
      "/api/me, /api/me, notexample.test, 400",
      "/api/%6De, /api/%6De, evil.example, 400",
      "/api/%6De, /api/%6De, localhost, 200",
      "http://evil.example/api/me, /api/me, localhost, 400",
      "http://time.example.test/api/me, /api/me, localhost, 200"})
  void onlyConfiguredHostsAreServed(String target, String path, String host, int status) throws Exception {
    for (boolean withToken : new boolean[] {true, false}) {
      String answer = RawTls.exchange("127.0.74.1", gw.gateway.publicPort(), "GET " + target + " HTTP/1.1\r\nHost: "
          + host + "\r\n" + (withToken ? "Authorization: Bearer " + token + "\r\n" : "")
          + "Accept: application/json\r\nConnection: close\r\n\r\n");
      int expected = status == 200 && !withToken ? 401 : status;
      assertThat(RawTls.statuses(answer)).as(target + " " + host + (withToken ? " with" : " without") + " a token")
          .containsExactly(expected);
      if (expected == 400) {
        assertThat(answer).contains("This host is not served here.");
      }
    }
  }

  /** The plain-HTTP listener builds its Location from the Host header: only for a host served here. */
  @ParameterizedTest(name = "Host: {0}")
  @CsvSource({
      "time.example.test, 308",
      "localhost:8080, 308",
      "evil.example, 400",
      "evil.example:8080, 400"})
  void thePlainHttpListenerRedirectsOnlyToConfiguredHosts(String host, int status) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", gw.gateway.redirectPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET /timesheets HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(RawTls.statuses(answer)).containsExactly(status);
      assertThat(answer).doesNotContain("evil.example");
      if (status == 308) {
        String named = host.contains(":") ? host.substring(0, host.indexOf(':')) : host;
        assertThat(answer).contains("Location: https://" + named + ":" + gw.gateway.publicPort() + "/timesheets\r\n");
      }
    }
  }

  /**
   * The plain-HTTP listener speaks HTTP/1.x only: an {@code Upgrade: h2c} request gets its redirect like any
   * other, not 101 and a cleartext HTTP/2 connection, and HTTP/2 prior knowledge (the connection preface) is
   * refused in text rather than answered with HTTP/2 SETTINGS.
   */
  @org.junit.jupiter.api.Test
  void thePlainHttpListenerNeverSwitchesToCleartextHttp2() throws Exception {
    String upgrade = plainHttp("GET /timesheets HTTP/1.1\r\nHost: time.example.test\r\n"
        + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");
    assertThat(upgrade).startsWith("HTTP/1.1 308 ")
        .contains("Location: https://time.example.test:" + gw.gateway.publicPort() + "/timesheets\r\n");

    String priorKnowledge = plainHttp("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    // Vert.x's HTTP/1 decoder refuses the preface's PRI method itself (501), in text, not with HTTP/2 frames.
    assertThat(priorKnowledge).as("an HTTP/1 refusal, not HTTP/2 frames").matches("(?s)HTTP/\\d\\.\\d [45]\\d\\d .*")
        .doesNotContain("Location");
  }

  /** Sends {@code request} to the plain-HTTP listener; reads an HTTP/1.x head, or what came until it closed or fell silent. */
  private static String plainHttp(String request) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", gw.gateway.redirectPort())) {
      s.setSoTimeout(3_000);
      s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      java.io.ByteArrayOutputStream read = new java.io.ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      try {
        for (int n; (n = s.getInputStream().read(buf)) > 0; ) {
          read.write(buf, 0, n);
          String text = read.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
          if (text.startsWith("HTTP/1.") && text.contains("\r\n\r\n")) {
            break;
          }
        }
      } catch (java.net.SocketTimeoutException e) {
        // An HTTP/2 connection stays open waiting for frames: what arrived so far is the answer.
      }
      return read.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }

  /**
   * RFC 9112 3.2: two Host headers are a 400 whatever they name (the first was checked and forwarded, the second
   * left to whatever reads it), and an empty Host names no configured host (it passed as "nothing to check", the
   * backend got an empty X-Forwarded-Host); on the direct path and through the router alike.
   */
  @org.junit.jupiter.api.Test
  void twoHostHeadersOrAnEmptyHostAreRefused() throws Exception {
    for (String hosts : java.util.List.of("Host: localhost\r\nHost: evil.example\r\n",
        "Host: localhost\r\nHost: localhost\r\n", "Host: \r\n")) {
      for (String target : java.util.List.of("/api/me", "/api/%6De")) {
        String answer = RawTls.exchange("127.0.74.2", gw.gateway.publicPort(), "GET " + target + " HTTP/1.1\r\n" + hosts
            + "Authorization: Bearer " + token + "\r\nAccept: application/json\r\nConnection: close\r\n\r\n");
        assertThat(RawTls.statuses(answer)).as(target + " " + hosts).containsExactly(400);
        assertThat(answer).doesNotContain("x-forwarded-host");
      }
    }
  }

  /** Without a Host (HTTP/1.0), the plain-HTTP listener sends the browser to the first configured host name. */
  @org.junit.jupiter.api.Test
  void aRequestWithoutHostIsRedirectedToTheFirstAllowedHost() throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", gw.gateway.redirectPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET /timesheets HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(answer).startsWith("HTTP/1.0 308 ");
      assertThat(answer).contains("Location: https://time.example.test:" + gw.gateway.publicPort() + "/timesheets\r\n");
    }
  }
}
