package com.timereg.gateway.store;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The directory holding a PostgreSQL server's {@code initdb}, {@code pg_ctl} and {@code postgres}. */
public record PostgresBinaries(Path binDir) {
  /** The Debian package that installs the server binaries. */
  public static final String DEBIAN_PACKAGE = "postgresql";
  /** Debian keeps each major version in {@code /usr/lib/postgresql/<version>/bin}, off the PATH. */
  public static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
  private static final List<String> REQUIRED = List.of("initdb", "pg_ctl", "postgres");

  public Path initdb() {
    return binDir.resolve("initdb");
  }

  public Path pgCtl() {
    return binDir.resolve("pg_ctl");
  }

  /** Looks on this process's PATH, then under {@link #DEBIAN_ROOT}. */
  public static PostgresBinaries find() {
    String path = System.getenv().getOrDefault("PATH", "");
    List<Path> dirs = Arrays.stream(path.split(File.pathSeparator))
        .filter(s -> !s.isEmpty())
        .map(Path::of)
        .toList();
    return find(dirs, DEBIAN_ROOT);
  }

  /**
   * The first directory of {@code searchPath} with all three programs wins, because a PATH entry is
   * a deliberate choice; otherwise the highest version under {@code versionedRoot}.
   *
   * @throws IllegalStateException naming the package to install when none is found
   */
  public static PostgresBinaries find(List<Path> searchPath, Path versionedRoot) {
    for (Path dir : searchPath) {
      Optional<Path> real = realBinDir(dir);
      if (real.isPresent()) {
        return new PostgresBinaries(real.get());
      }
    }
    for (Path dir : versionDirsHighestFirst(versionedRoot)) {
      Optional<Path> real = realBinDir(dir.resolve("bin"));
      if (real.isPresent()) {
        return new PostgresBinaries(real.get());
      }
    }
    throw new IllegalStateException("PostgreSQL server programs (initdb, pg_ctl, postgres) not found on PATH or under "
        + versionedRoot + "/<version>/bin. Install the Debian package '" + DEBIAN_PACKAGE
        + "' (apt-get install " + DEBIAN_PACKAGE + "), or set " + DevDatabase.URL_ENV
        + " to use a server that is already running.");
  }

  /**
   * The directory the real initdb lives in, when all three programs are there. Following links
   * matters: initdb finds {@code postgres} beside its own real path, not beside a link to it.
   */
  private static Optional<Path> realBinDir(Path dir) {
    Path initdb = dir.resolve("initdb");
    if (!Files.isExecutable(initdb) || Files.isDirectory(initdb)) {
      return Optional.empty();
    }
    try {
      Path real = initdb.toRealPath().getParent();
      boolean complete = REQUIRED.stream().map(real::resolve)
          .allMatch(p -> Files.isExecutable(p) && !Files.isDirectory(p));
      return complete ? Optional.of(real) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static List<Path> versionDirsHighestFirst(Path root) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(root)) {
      List<Path> versions = new ArrayList<>(children
          .filter(p -> p.getFileName().toString().matches("\\d{1,9}(\\.\\d{1,9})*"))
          .toList());
      versions.sort(Comparator.comparing((Path p) -> p.getFileName().toString(), PostgresBinaries::compareVersions)
          .reversed());
      return versions;
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Numeric, so that 16 sorts above 9.6. */
  static int compareVersions(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      long u = i < x.length ? Long.parseLong(x[i]) : 0;
      long v = i < y.length ? Long.parseLong(y[i]) : 0;
      if (u != v) {
        return Long.compare(u, v);
      }
    }
    return 0;
  }
}
