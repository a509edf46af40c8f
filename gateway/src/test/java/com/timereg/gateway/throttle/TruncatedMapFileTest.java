package com.timereg.gateway.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.clientip.AddressKey;
import com.timereg.gateway.clientip.IpLiterals;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A map file cut short (a full disk while it grew, a copy interrupted, a backup restored half) must be recovered
 * or moved aside at start, never crash the process: a gateway killed by SIGBUS at every start is a crash loop.
 * The opening runs in a child JVM ({@link TruncatedMapChild}), since a fault in a mapping kills the whole JVM.
 */
class TruncatedMapFileTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "cut to {0}/8 of its length, closed cleanly: {1}")
  @CsvSource({"0,true", "1,true", "4,true", "7,true", "0,false", "1,false", "4,false", "7,false"})
  void aMapFileCutShortIsRecoveredOrMovedAsideWithoutCrashing(int eighths, boolean clean) throws Exception {
    Path file = ChronicleMapFiles.fileFor(dir, "clients", 1000);
    try (ChronicleThrottleStore store = ChronicleThrottleStore.open(dir, "clients", 1000)) {
      for (int i = 1; i <= 200; i++) {
        long until = 5000L + i;
        store.update(AddressKey.of(IpLiterals.parse("192.0.2." + i), 32), true, (r, existed) -> {
          r.blockedUntil = until;
          return null;
        });
      }
    }
    if (!clean) {
      Files.delete(ChronicleMapFiles.markerFor(file));
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(raf.length() * eighths / 8);
    }

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-") || a.startsWith("-Dchronicle")).toList());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), TruncatedMapChild.class.getName(),
        dir.toString()));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(child.exitValue()).as("exit status of the child; its output:%n%s", output).isZero();
    assertThat(output).contains("worked with ").doesNotContain("SIGBUS").doesNotContain("hs_err");
    boolean movedAside;
    try (Stream<Path> files = Files.list(dir)) {
      movedAside = files.anyMatch(p -> p.getFileName().toString().startsWith(file.getFileName() + ".damaged-"));
    }
    assertThat(movedAside || output.contains("recovered it"))
        .as("recovered or moved aside with a log line; output:%n%s", output).isTrue();
  }
}
