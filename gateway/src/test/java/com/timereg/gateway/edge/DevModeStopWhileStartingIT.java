package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.GatewayProcess;
import com.timereg.gateway.store.LocalPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/gateway --dev} stopped (SIGTERM, as Ctrl-C or a closed terminal does) while it is still starting its
 * local PostgreSQL: the server it starts must not outlive it. Here the start first stops the server an earlier,
 * killed run left behind (its warning is the moment to send the signal), then starts the server anew.
 */
class DevModeStopWhileStartingIT {

  @Test
  void aSigtermWhileTheLocalPostgresStartsLeavesNoPostgresRunning() throws Exception {
    Path repo = GatewayProcess.moduleDir().getParent();
    // Under target/ rather than /tmp: as root the local PostgreSQL runs as another OS user, which must pass
    // through every parent directory.
    Path data = GatewayProcess.moduleDir().resolve("target").resolve("devmode-stop-" + UUID.randomUUID().toString().substring(0, 8));
    Files.createDirectories(data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Path pgdata = data.resolve("postgres").resolve("pgdata");
    Process process = null;
    try {
      // What `kill -9` of an earlier bin/gateway --dev leaves: its server running, its owner gone.
      LocalPostgres earlier = LocalPostgres.open(data.resolve("postgres"));
      earlier.leaveStoppingToOwner();
      Process gone = new ProcessBuilder("true").start();
      gone.waitFor();
      Files.writeString(data.resolve("postgres").resolve("owner.pid"), gone.pid() + "\n");

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
            if (!signalled.isDone() && line.contains("from an earlier run still uses")) {
              running.toHandle().destroy(); // SIGTERM
              signalled.complete(null);
            }
          }
        } catch (IOException ignored) {
          // the process ended
        }
        log.complete(text.toString());
      }, "devmode-stop-stderr");
      reader.setDaemon(true);
      reader.start();

      assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("bin/gateway --dev ends after SIGTERM").isTrue();
      String whole = log.get(30, TimeUnit.SECONDS);
      assertThat(signalled).as("SIGTERM sent while the local PostgreSQL was starting; log:\n%s", whole).isDone();
      assertThat(PostgresProcesses.of(pgdata)).as("no PostgreSQL of this data directory is left; log:\n%s", whole)
          .isEmpty();
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
