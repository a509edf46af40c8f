package com.timereg.gateway.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The processes of a running {@link LocalPostgres} server, read from /proc (Linux), for tests that watch them. */
final class ServerProcesses {
  private ServerProcesses() {}

  /** The postmaster's command line; a child still showing it has not yet been told who it serves. */
  static String postmasterCommand(Path clusterDir) throws IOException {
    return commandLine(postmaster(clusterDir));
  }

  /** The postmaster's children by pid, each with its command line (its process title). */
  static Map<Long, String> children(Path clusterDir) throws IOException {
    long postmaster = postmaster(clusterDir);
    Map<Long, String> children = new LinkedHashMap<>();
    for (ProcessHandle child : ProcessHandle.of(postmaster).orElseThrow().children().toList()) {
      try {
        children.put(child.pid(), commandLine(child.pid()));
      } catch (IOException gone) {
        // it exited while we looked
      }
    }
    return children;
  }

  private static long postmaster(Path clusterDir) throws IOException {
    return Long.parseLong(Files.readAllLines(clusterDir.resolve("pgdata/postmaster.pid")).get(0).strip());
  }

  private static String commandLine(long pid) throws IOException {
    return Files.readString(Path.of("/proc", String.valueOf(pid), "cmdline"));
  }
}
