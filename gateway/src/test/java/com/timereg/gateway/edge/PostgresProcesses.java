package com.timereg.gateway.edge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The PostgreSQL processes of a dev-mode data directory, for tests that run bin/gateway --dev as a process. */
final class PostgresProcesses {
  private PostgresProcesses() {}

  /** Pids of processes whose command line names {@code pgdata} (the postmaster and its children). */
  static List<Long> of(Path pgdata) throws IOException {
    List<Long> pids = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        String cmdline;
        try {
          cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException gone) {
          continue;
        }
        if (cmdline.contains("postgres") && cmdline.contains(pgdata.toString())) {
          pids.add(Long.parseLong(p.getFileName().toString()));
        }
      }
    }
    return pids;
  }

  /** After a failed run: a postmaster left behind would hold its port and files until the machine restarts. */
  static void stopLeftover(Path pgdata) throws Exception {
    Path pidFile = pgdata.resolve("postmaster.pid");
    if (Files.exists(pidFile)) {
      long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
      var postmaster = ProcessHandle.of(pid);
      if (postmaster.isPresent() && postmaster.get().destroy()) {
        postmaster.get().onExit().get(30, TimeUnit.SECONDS);
      }
    }
  }
}
