package com.timereg.hibp.build;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.hibp.TestInputs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build stopped from outside (Ctrl-C, SIGTERM from a job runner) leaves the target as it was and nothing
 * else: no hidden temporary file as large as the set beside the live one, where repeated attempts would fill
 * the gateway's disk.
 */
class InterruptedBuildTest {
  @TempDir
  Path dir;

  @Test
  void aBuildTerminatedMidwayLeavesNoTemporaryFiles() throws Exception {
    Path input = TestInputs.generate(dir, "in.txt", 900_000, List.of(), 5);
    Path out = Files.createDirectories(dir.resolve("out"));
    String java = ProcessHandle.current().info().command().orElse("java");
    Process build = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        "com.timereg.hibp.cli.Main", "build", input.toString(), "-o", out.resolve("set.hibp").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("build.log").toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (temporaries(out).isEmpty() && build.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(2);
      }
      assertThat(build.isAlive()).as("still building when its temporary file appeared").isTrue();
      assertThat(temporaries(out)).isNotEmpty();
      build.destroy(); // SIGTERM, as Ctrl-C's SIGINT: shutdown hooks run
      assertThat(build.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      build.destroyForcibly();
    }
    assertThat(temporaries(out)).as(Files.readString(dir.resolve("build.log"))).isEmpty();
    assertThat(out.resolve("set.hibp")).doesNotExist();
  }

  private static List<Path> temporaries(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
    }
  }
}
