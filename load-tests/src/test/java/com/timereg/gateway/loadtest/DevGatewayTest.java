package com.timereg.gateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DevGateway#start} owns the process it started until it hands it over: however the wait for the
 * banner ends (here: the test runner interrupts the thread, as a CI timeout or a cancelled build does),
 * the process must not outlive it, or it keeps its ports, data directory and PostgreSQL past the run.
 */
class DevGatewayTest {
  @TempDir
  Path root;

  @Test
  void aStartInterruptedWhileWaitingForTheBannerStopsTheProcess() throws Exception {
    Path pidFile = root.resolve("gateway.pid");
    Path script = root.resolve("bin/gateway");
    Files.createDirectories(script.getParent());
    // A gateway that never gets ready: it only says who it is and waits.
    Files.writeString(script, "#!/bin/sh\necho $$ > '" + pidFile + "'\nexec sleep 600\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));

    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    Thread starter = new Thread(() -> {
      try {
        DevGateway.start(root, root.resolve("data"), root.resolve("gateway.log"), Duration.ofMinutes(10)).close();
        outcome.complete(null);
      } catch (Throwable t) {
        outcome.complete(t);
      }
    }, "dev-gateway-starter");
    starter.start();

    long pid = waitForPid(pidFile);
    ProcessHandle gateway = ProcessHandle.of(pid).orElseThrow();
    starter.interrupt();
    Throwable thrown = outcome.get(90, TimeUnit.SECONDS);

    assertThat(thrown).isNotNull();
    try {
      assertThat(gateway.isAlive()).withFailMessage("the gateway process %d outlived the interrupted start", pid).isFalse();
    } finally {
      gateway.destroyForcibly();
    }
  }

  @Test
  void aStartThatTimesOutStopsWhatTheScriptStartedToo() throws Exception {
    Path childPidFile = root.resolve("build.pid");
    Path script = root.resolve("bin/gateway");
    Files.createDirectories(script.getParent());
    // bin/gateway runs `mvn package` as its child when the jar is stale (up to minutes on a busy machine); a
    // SIGTERM ends the script, not that child.
    Files.writeString(script, "#!/bin/sh\nsleep 600 &\necho $! > '" + childPidFile + "'\nwait\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));

    // The banner never comes: the start gives up after the timeout and stops what it started.
    assertThatThrownBy(() -> DevGateway.start(root, root.resolve("data"), root.resolve("gateway.log"),
        Duration.ofSeconds(3))).hasMessageContaining("did not come up");
    long pid = waitForPid(childPidFile);
    ProcessHandle build = ProcessHandle.of(pid).orElse(null);
    try {
      assertThat(build != null && build.isAlive())
          .withFailMessage("the script's child %d outlived the failed start", pid).isFalse();
    } finally {
      if (build != null) {
        build.destroyForcibly();
      }
    }
  }

  /** The script writes its pid first thing; this waits for the process to exist, not for time to pass. */
  private static long waitForPid(Path pidFile) throws Exception {
    for (int i = 0; i < 3000; i++) {
      if (Files.exists(pidFile)) {
        String s = Files.readString(pidFile).trim();
        if (!s.isEmpty()) {
          return Long.parseLong(s);
        }
      }
      Thread.onSpinWait();
      Thread.sleep(10);
    }
    throw new AssertionError("bin/gateway never started");
  }
}
