package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import com.timereg.gateway.testsupport.TestPki;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The admin listener with {@code admin.tls} negotiates HTTP/2 by ALPN, like the public one, and so met the same
 * Vert.x 5.0.7 fault: the answer to a HEAD over HTTP/2 carried its body as DATA frames (RFC 9113 8.1.1), and curl
 * (nghttp2) reset the stream with PROTOCOL_ERROR: {@code curl -I --http2} of a health check, the metrics or the
 * console failed. Bound beyond loopback without a client CA, so that the console's API answers 401 here.
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class AdminHeadOverHttp2Test {
  @TempDir static Path dir;
  static Vertx vertx;
  static E2eGateway gw;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    TestPki pki = new TestPki("admin HEAD test CA");
    TestPki.write(pki.server(), dir.resolve("admin-cert.pem"), dir.resolve("admin-key.pem"));
    gw = E2eGateway.start(Files.createDirectories(dir.resolve("gw")), db, vertx, -1, Map.of(
        "GATEWAY_ADMIN__HOST", "0.0.0.0",
        "GATEWAY_ADMIN__TLS__CERT_FILE", dir.resolve("admin-cert.pem").toString(),
        "GATEWAY_ADMIN__TLS__KEY_FILE", dir.resolve("admin-key.pem").toString()));
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw);
  }

  /** HEAD and then GET in one curl run, the GET on the HEAD's connection. */
  @ParameterizedTest(name = "curl -I --http2 {0}")
  @CsvSource({"/health/live, 200", "/health/ready, 200", "/metrics, 200", "/admin/, 200",
      "/admin/api/whoami, 401", "/no/such/path, 404"})
  void curlGetsACleanAnswerToHeadOverHttp2(String path, int status) throws Exception {
    Path curl = Path.of("/usr/bin/curl");
    Assumptions.assumeTrue(Files.isExecutable(curl), "curl is not installed");
    String url = "https://127.0.0.1:" + gw.gateway.adminPort() + path;
    String format = "%{http_version} %{http_code} %{size_download} %{num_connects}\n";
    Process process = new ProcessBuilder(curl.toString(), "-sSk", "--http2", "-I", "-o", "/dev/null", "-w", format,
        url, "--next", "-sSk", "--http2", "-o", "/dev/null", "-w", format, url)
        .redirectErrorStream(true).start();
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("curl ends").isTrue();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("curl's exit code: " + out).isZero();
    String[] lines = out.strip().split("\n");
    assertThat(lines).as(out).hasSize(2);
    assertThat(lines[0]).as("HEAD: HTTP/2, the GET's status, no content, a new connection").isEqualTo("2 " + status + " 0 1");
    assertThat(lines[1]).as("GET: the same connection again").startsWith("2 " + status + " ").endsWith(" 0");
  }

  /**
   * HEAD is answered wherever GET is (RFC 9110 9.3.2: a monitor's or a load balancer's HEAD probe of the health
   * checks); the admin routes took GET alone and answered HEAD 404. Over HTTP/1.1 as well.
   */
  @ParameterizedTest(name = "curl -I --http1.1 {0}")
  @CsvSource({"/health/live, 200", "/health/ready, 200", "/metrics, 200", "/admin/, 200",
      "/admin/api/whoami, 401", "/no/such/path, 404"})
  void headIsAnsweredAsGetIsOverHttp1(String path, int status) throws Exception {
    Path curl = Path.of("/usr/bin/curl");
    Assumptions.assumeTrue(Files.isExecutable(curl), "curl is not installed");
    String url = "https://127.0.0.1:" + gw.gateway.adminPort() + path;
    String format = "%{http_version} %{http_code} %{size_download} %{content_type}\n";
    Process process = new ProcessBuilder(curl.toString(), "-sSk", "--http1.1", "-I", "-o", "/dev/null", "-w", format,
        url).redirectErrorStream(true).start();
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("curl ends").isTrue();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("curl's exit code: " + out).isZero();
    assertThat(out.strip()).as(out).startsWith("1.1 " + status + " 0 ");
  }
}
