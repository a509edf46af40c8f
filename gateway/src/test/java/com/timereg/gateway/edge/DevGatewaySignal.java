package com.timereg.gateway.edge;

import com.timereg.gateway.GatewayProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@code bin/gateway --dev} run as a process and sent SIGTERM (as Ctrl-C) at a given moment of its start. */
final class DevGatewaySignal {
  private DevGatewaySignal() {}

  /**
   * What the run did.
   *
   * @param ended whether it ended within two minutes of its start
   * @param signalled whether the trigger line came, and SIGTERM was sent
   * @param log everything it wrote to stderr
   */
  record Outcome(boolean ended, boolean signalled, String log) {}

  /**
   * A fresh data directory under the module's target/ rather than /tmp: as root the local PostgreSQL runs as
   * another OS user, which must pass through every parent directory.
   */
  static Path dataDir(String name) throws IOException {
    Path data = GatewayProcess.moduleDir().resolve("target").resolve(name + "-" + UUID.randomUUID().toString().substring(0, 8));
    return Files.createDirectories(data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
  }

  /** Runs {@code bin/gateway --dev} on {@code data}, sends SIGTERM at the first stderr line holding {@code trigger}. */
  static Outcome sigtermAt(Path data, String trigger) throws Exception {
    Path repo = GatewayProcess.moduleDir().getParent();
    ProcessBuilder pb = new ProcessBuilder(repo.resolve("bin/gateway").toString(), "--dev").directory(repo.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().remove("GATEWAY_DATABASE_URL");
    pb.environment().put("GATEWAY_DATA_DIR", data.toString());
    pb.environment().put("GATEWAY_PUBLIC__PORT", "0");
    pb.environment().put("GATEWAY_ADMIN__PORT", "0");
    Process process = pb.start();
    try {
      CompletableFuture<String> log = new CompletableFuture<>();
      CompletableFuture<Void> signalled = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        StringBuilder text = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            text.append(line).append('\n');
            if (!signalled.isDone() && line.contains(trigger)) {
              process.toHandle().destroy(); // SIGTERM, as Ctrl-C
              signalled.complete(null);
            }
          }
        } catch (IOException ignored) {
          // the process ended
        }
        log.complete(text.toString());
      }, "dev-gateway-stderr");
      reader.setDaemon(true);
      reader.start();
      boolean ended = process.waitFor(120, TimeUnit.SECONDS);
      return new Outcome(ended, signalled.isDone(), ended ? log.get(30, TimeUnit.SECONDS) : "(still running)");
    } finally {
      if (process.isAlive()) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
