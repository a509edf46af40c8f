package com.timereg.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CLI against something at --admin-url that answers far more than any admin API answer (the largest, a page
 * of 500 blocks, is some 500 KB): it must say so and exit 1, not run out of memory. Run as its own process with
 * a small heap, as a person's shell runs it, so that running out would show.
 */
class AdminCommandHugeAnswerTest {
  static final long ANSWER_BYTES = 400L << 20;

  HttpServer server;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      // Valid JSON, all of it white space but the braces: only its size is wrong.
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, ANSWER_BYTES + 2);
      byte[] chunk = new byte[1 << 20];
      Arrays.fill(chunk, (byte) ' ');
      try (OutputStream out = exchange.getResponseBody()) {
        out.write('{');
        for (long sent = 0; sent < ANSWER_BYTES; sent += chunk.length) {
          out.write(chunk);
        }
        out.write('}');
      } catch (IOException e) {
        // the CLI stopped reading: what it should do
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void aHugeAnswerIsReportedPlainlyNotAnOutOfMemoryError() throws Exception {
    Process p = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-Xmx128m", "-cp",
        System.getProperty("java.class.path"), "com.timereg.gateway.Main", "admin",
        "--admin-url=http://127.0.0.1:" + server.getAddress().getPort(), "--actor=staff", "blocks", "list")
        .redirectErrorStream(true).start();
    try {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the CLI ends").isTrue();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(output).doesNotContain("OutOfMemoryError").doesNotContain("\tat ")
          .contains("gateway admin: the answer from").contains("is larger than");
      assertThat(p.exitValue()).isEqualTo(AdminCommand.EXIT_FAILED);
    } finally {
      p.destroyForcibly();
    }
  }
}
