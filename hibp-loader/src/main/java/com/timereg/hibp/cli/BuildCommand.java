package com.timereg.hibp.cli;

import com.timereg.hibp.HibpSetHeader;
import com.timereg.hibp.HibpSetParameters;
import com.timereg.hibp.build.BuildOptions;
import com.timereg.hibp.build.BuildProgress;
import com.timereg.hibp.build.SetBuilder;
import com.timereg.hibp.input.HibpInput;
import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "build", mixinStandardHelpOptions = true,
    description = {"Builds a set from a HIBP Pwned Passwords download: the single ordered file of SHA1:COUNT "
        + "lines, or the downloader's directory of prefix files (00000.txt ... FFFFF.txt).",
        "Streams in constant memory, stops at the first malformed, unsorted, duplicate or missing input "
            + "naming file and line, and replaces the target atomically."})
final class BuildCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "<input>", description = "The download: a file or a directory of prefix files.")
  Path input;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "<set>", description = "The set to write.")
  Path output;

  @Option(names = "--expected-entries", paramLabel = "N", defaultValue = "0",
      description = "Entries to size the set for (default: an upper bound from the input size). "
          + "The build fails if the input holds more.")
  long expectedEntries;

  @Option(names = "--max-fpr", paramLabel = "RATE",
      defaultValue = "" + HibpSetParameters.DEFAULT_MAX_FALSE_POSITIVE_RATE,
      description = "Largest false-positive rate (default: ${DEFAULT-VALUE}).")
  double maxFpr;

  /** An input larger than this share of physical memory cannot stay cached: reading past the cache loses nothing. */
  static final int DIRECT_IO_ABOVE_MEMORY_DIVISOR = 2;

  @Option(names = "--direct-io", negatable = true,
      description = {"Read a single input file with O_DIRECT, past the page cache: much less system CPU time, "
          + "and the cache keeps what it held (a running gateway's set) instead of filling with the download; "
          + "a file already in the cache is read more slowly. Ignored for a directory of prefix files and "
          + "where the file system does not allow it.",
          "Default: on for a file larger than half the physical memory (the real download, 40-80 GB), "
              + "which could not stay cached anyway; off otherwise."})
  Boolean directIo;

  @Option(names = "--build-time", paramLabel = "INSTANT",
      description = "Build time to record, e.g. 2025-01-01T00:00:00Z (default: now), for reproducible builds.")
  Instant buildTime;

  static boolean directByDefault(long inputBytes, long physicalMemory) {
    return physicalMemory > 0 && inputBytes > physicalMemory / DIRECT_IO_ABOVE_MEMORY_DIVISOR;
  }

  private static long physicalMemory() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return 0;
  }

  /**
   * Fails unless the directory {@code output} goes in exists (the root has none: it is a directory, which the
   * command names as such), saying whether it is missing or not a directory.
   */
  static void checkOutputDirectory(Path output) throws IOException {
    Path dir = output.toAbsolutePath().getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      if (Files.exists(dir)) {
        throw new FileSystemException(dir.toString(), null, "not a directory, so it cannot hold the output");
      }
      throw new NoSuchFileException(dir.toString(), null, "output directory does not exist");
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    checkOutputDirectory(output);
    HibpInput in = HibpInput.open(input, directIo != null ? directIo
        : directByDefault(Files.isRegularFile(input) ? Files.size(input) : 0, physicalMemory()));
    Progress progress = Progress.onTerminal("B");
    BuildProgress listener = progress == null ? BuildProgress.NONE
        : (read, total, entries) -> progress.update(read, total, String.format("%,d entries", entries));
    long start = System.nanoTime();
    HibpSetHeader h;
    try {
      h = SetBuilder.build(in, output,
          new BuildOptions(buildTime != null ? buildTime : Instant.now(), expectedEntries, maxFpr), listener);
    } finally {
      if (progress != null) {
        progress.done();
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    out.printf("built %s from %s%n", output, in.describe());
    out.printf("%,d entries, %,d bytes (%.3f bytes per entry), false-positive rate %.3g, "
            + "in %.1f s (%.0f MB/s of input)%n", h.entryCount(), h.fileLength(),
        (double) h.fileLength() / h.entryCount(), h.falsePositiveRate(), seconds, in.sizeBytes() / seconds / 1e6);
    return Main.OK;
  }
}
