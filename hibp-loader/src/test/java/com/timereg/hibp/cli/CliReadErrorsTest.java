package com.timereg.hibp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read error in the middle of a build (a failing disk's EIO) stops it with one line that names the file it
 * came from, one of up to a million, and leaves the set in place and no temporary file behind.
 */
class CliReadErrorsTest {
  /** Regular by its attributes, but reading it at offset 0 fails with EIO (nothing is mapped there). */
  private static final Path UNREADABLE = Path.of("/proc/self/mem");

  @TempDir
  Path dir;

  @Test
  void aReadErrorInAPrefixFileNamesThatFileAndKeepsTheSet() throws IOException {
    Assumptions.assumeTrue(Files.isRegularFile(UNREADABLE), "needs Linux's /proc/self/mem");
    Path input = Files.createDirectories(dir.resolve("download"));
    for (int prefix = 0; prefix < 16; prefix++) {
      Files.writeString(input.resolve(String.format("%X.txt", prefix)), "0".repeat(39) + ":1\n");
    }
    Path out = Files.createDirectories(dir.resolve("out"));
    Path set = out.resolve("pwned.hibp");
    assertThat(CliTest.run("build", input.toString(), "-o", set.toString()).code()).isZero();
    byte[] before = Files.readAllBytes(set);
    Path broken = input.resolve("8.txt");
    Files.delete(broken);
    Files.createSymbolicLink(broken, UNREADABLE);

    CliTest.Result r = CliTest.run("build", input.toString(), "-o", set.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("hibp-loader build: " + broken + ": read failed: ");
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(Files.readAllBytes(set)).isEqualTo(before);
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files).containsExactly(set);
    }
  }
}
