package com.timereg.hibp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.hibp.TestInputs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output to a file system that fills up (a 256 KiB tmpfs, mounted in a private mount namespace for the one
 * command): the command fails in one line that names the file it was asked to write and says what went wrong,
 * as a read error names the input file, and leaves the output as it was, with no temporary file beside it.
 * Skipped where {@code unshare} cannot mount a tmpfs.
 */
class FullDiskTest {
  @TempDir
  Path dir;
  private Path mount;

  @BeforeEach
  void needsAPrivateTmpfs() throws Exception {
    mount = Files.createDirectories(dir.resolve("small"));
    Assumptions.assumeTrue(inSmallTmpfs("true").exitValue() == 0, "unshare cannot mount a tmpfs here");
  }

  @Test
  void aBuildThatFillsTheDiskNamesTheSetAndKeepsTheOldOne() throws Exception {
    Path small = dir.resolve("small.txt");
    Files.writeString(small, "00000A94C6AF3E2F6F5D7ACB89B8C4C0E1D2F3A4:1\n");
    assertThat(CliTest.run("build", small.toString(), "-o", dir.resolve("old.hibp").toString()).code()).isZero();
    Path input = TestInputs.generate(dir, "in.txt", 200_000, List.of(), 3);
    Path set = mount.resolve("set.hibp");

    Process p = inSmallTmpfs("cp " + dir.resolve("old.hibp") + " " + set + " && "
        + java("build", input.toString(), "-o", set.toString()) + "; echo \"exit $?\" > " + dir.resolve("exit")
        + "; ls -A " + mount + " > " + dir.resolve("listing") + "; cmp -s " + set + " " + dir.resolve("old.hibp")
        + " && echo kept >> " + dir.resolve("listing"));

    String err = Files.readString(dir.resolve("err"));
    assertThat(p.exitValue()).as(err).isZero();
    assertThat(Files.readString(dir.resolve("exit")).strip()).as(err).isEqualTo("exit 2");
    assertThat(err).startsWith("hibp-loader build: " + set + ": ").contains("No space left on device");
    assertThat(err.strip().lines()).hasSize(1);
    assertThat(Files.readAllLines(dir.resolve("listing"))).containsExactly("set.hibp", "kept");
  }

  @Test
  void aGenerateThatFillsTheDiskNamesTheOutputAndLeavesNothing() throws Exception {
    Path output = mount.resolve("in.txt");

    Process p = inSmallTmpfs(java("generate", "-n", "100000", "-o", output.toString())
        + "; echo \"exit $?\" > " + dir.resolve("exit") + "; ls -A " + mount + " > " + dir.resolve("listing"));

    String err = Files.readString(dir.resolve("err"));
    assertThat(p.exitValue()).as(err).isZero();
    assertThat(Files.readString(dir.resolve("exit")).strip()).as(err).isEqualTo("exit 2");
    assertThat(err).startsWith("hibp-loader generate: " + output + ": ").contains("No space left on device");
    assertThat(err.strip().lines()).hasSize(1);
    assertThat(Files.readAllLines(dir.resolve("listing"))).isEmpty();
  }

  private String java(String... args) {
    String java = ProcessHandle.current().info().command().orElse("java");
    return java + " -Xmx256m -cp " + System.getProperty("java.class.path") + " com.timereg.hibp.cli.Main "
        + String.join(" ", args) + " 2> " + dir.resolve("err");
  }

  /** Runs {@code script} with a 256 KiB tmpfs on {@link #mount}, seen by this script only. */
  private Process inSmallTmpfs(String script) throws IOException, InterruptedException {
    Files.writeString(dir.resolve("err"), "");
    Process p = new ProcessBuilder("unshare", "-rm", "sh", "-c",
        "mount -t tmpfs -o size=256k tmpfs " + mount + " && " + script)
        .redirectErrorStream(true).redirectOutput(dir.resolve("unshare.log").toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("did not finish: " + Files.readString(dir.resolve("unshare.log")));
    }
    return p;
  }
}
