package com.timereg.hibp.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generate} stopped from outside (Ctrl-C, SIGTERM) leaves nothing behind either: its hidden temporary
 * file grows to the size of the data set asked for (some 45 bytes a line, tens of GB for benchmark sizes).
 */
class InterruptedGenerateTest {
  @TempDir
  Path dir;

  @Test
  void aGenerateTerminatedMidwayLeavesNoTemporaryFile() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    String java = ProcessHandle.current().info().command().orElse("java");
    Process generate = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        "com.timereg.hibp.cli.Main", "generate", "-n", "200000000", "-o", out.resolve("in.txt").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("generate.log").toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (temporaries(out).isEmpty() && generate.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(2);
      }
      assertThat(generate.isAlive()).as("still generating when its temporary file appeared").isTrue();
      assertThat(temporaries(out)).isNotEmpty();
      generate.destroy(); // SIGTERM, as Ctrl-C's SIGINT: shutdown hooks run
      assertThat(generate.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      generate.destroyForcibly();
    }
    assertThat(temporaries(out)).as(Files.readString(dir.resolve("generate.log"))).isEmpty();
    assertThat(out.resolve("in.txt")).doesNotExist();
  }

  private static List<Path> temporaries(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
    }
  }
}
