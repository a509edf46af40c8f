package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.GatewayProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Ctrl-C during {@code bin/gateway --dev}'s start, once its local PostgreSQL runs: the server is stopped by the
 * signal, the start then fails at its next step (creating the role, the migrations), and that failure is no
 * reason to give the operator, who asked for the stop: "gateway failed to start: The connection attempt failed"
 * sent them looking for a database problem that was not there.
 */
class DevModeSigtermWhileStartingMessageIT {

  @Test
  void aSigtermWhileStartingIsReportedAsAStopNotAsAFailedStart() throws Exception {
    Path repo = GatewayProcess.moduleDir().getParent();
    Path data = GatewayProcess.moduleDir().resolve("target").resolve("devmode-sigterm-" + UUID.randomUUID().toString().substring(0, 8));
    Files.createDirectories(data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Path pgdata = data.resolve("postgres").resolve("pgdata");
    Process process = null;
    try {
      ProcessBuilder pb = new ProcessBuilder(repo.resolve("bin/gateway").toString(), "--dev").directory(repo.toFile())
          .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      pb.environment().remove("GATEWAY_DATABASE_URL");
      pb.environment().put("GATEWAY_DATA_DIR", data.toString());
      pb.environment().put("GATEWAY_PUBLIC__PORT", "0");
      pb.environment().put("GATEWAY_ADMIN__PORT", "0");
      process = pb.start();
      Process running = process;
      CompletableFuture<String> log = new CompletableFuture<>();
      CompletableFuture<Void> signalled = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        StringBuilder text = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(running.getErrorStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            text.append(line).append('\n');
            if (!signalled.isDone() && line.contains("LocalPostgres - Local PostgreSQL (")) {
              running.toHandle().destroy(); // SIGTERM, as Ctrl-C
              signalled.complete(null);
            }
          }
        } catch (IOException ignored) {
          // the process ended
        }
        log.complete(text.toString());
      }, "devmode-sigterm-stderr");
      reader.setDaemon(true);
      reader.start();

      assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("bin/gateway --dev ends after SIGTERM").isTrue();
      String whole = log.get(30, TimeUnit.SECONDS);
      assertThat(signalled).as("SIGTERM sent once the local PostgreSQL ran; log:\n%s", whole).isDone();
      assertThat(whole).as("log").doesNotContain("gateway failed to start").doesNotContain("ERROR");
    } finally {
      if (process != null && process.isAlive()) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      PostgresProcesses.stopLeftover(pgdata);
      deleteTree(data);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
