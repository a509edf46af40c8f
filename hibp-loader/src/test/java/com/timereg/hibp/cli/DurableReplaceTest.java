package com.timereg.hibp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.hibp.TestInputs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a power cut would test, seen in the system calls instead (a real JVM under {@code strace -f -y}): the
 * output's bytes are forced to disk under the temporary name before the rename puts them under the final name,
 * and the directory is forced after it. Without the first, the rename may reach the disk before the data, and
 * after a power cut the final name holds an empty or partial file (a set file's header is written last, so such
 * a set is refused by the reader; a text file cut at a line end is not); without the second, a crash may bring
 * back the file it replaced although the command had reported success. Skipped where strace cannot trace.
 */
class DurableReplaceTest {
  private static final Pattern RENAME =
      Pattern.compile("\\brename(?:at2?)?\\((?:AT_FDCWD[^,]*, )?\"([^\"]+)\", (?:AT_FDCWD[^,]*, )?\"([^\"]+)\"");

  @TempDir
  Path tmp;
  private Path dir;

  @BeforeEach
  void needsStrace() throws Exception {
    dir = Files.createDirectories(tmp.resolve("out")).toRealPath();
    boolean traces;
    try {
      Process p = new ProcessBuilder("strace", "-f", "-o", "/dev/null", "true").redirectErrorStream(true)
          .redirectOutput(tmp.resolve("probe.log").toFile()).start();
      traces = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException noStrace) {
      traces = false;
    }
    Assumptions.assumeTrue(traces, "strace cannot trace a process here");
  }

  @Test
  void generateForcesItsOutputBeforeTheRenameAndTheDirectoryAfterIt() throws Exception {
    Path output = dir.resolve("in.txt");

    List<String> calls = traced("generate", "-n", "20000", "-o", output.toString());

    assertForcedRenamedForced(calls, output);
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).containsExactly(output);
    }
    assertThat(Files.readAllLines(output)).hasSize(20_000);
  }

  @Test
  void buildForcesTheSetBeforeTheRenameAndTheDirectoryAfterIt() throws Exception {
    Path input = TestInputs.generate(tmp, "in.txt", 20_000, List.of(), 7);
    Path set = dir.resolve("set.hibp");

    List<String> calls = traced("build", input.toString(), "-o", set.toString());

    assertForcedRenamedForced(calls, set);
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).containsExactly(set);
    }
    assertThat(CliTest.run("verify", set.toString()).code()).isZero();
  }

  /**
   * A rename of a temporary file in the output's directory over the output; an fsync of that temporary file
   * before it (through any descriptor: fsync flushes the file, whichever descriptor wrote it), and one of the
   * directory after it.
   */
  private void assertForcedRenamedForced(List<String> calls, Path output) {
    String all = String.join("\n", calls);
    int renameAt = -1;
    String temp = null;
    for (int i = 0; i < calls.size(); i++) {
      Matcher m = RENAME.matcher(calls.get(i));
      if (m.find() && m.group(2).equals(output.toString()) && calls.get(i).endsWith("= 0")) {
        renameAt = i;
        temp = m.group(1);
      }
    }
    assertThat(renameAt).as("a rename over %s in:%n%s", output, all).isNotNegative();
    assertThat(Path.of(temp).getParent()).isEqualTo(dir);
    assertThat(syncs(calls.subList(0, renameAt), temp))
        .as("fsync of %s before its rename over %s, in:%n%s", temp, output, all).isPositive();
    assertThat(syncs(calls.subList(renameAt + 1, calls.size()), dir.toString()))
        .as("fsync of the directory %s after the rename, in:%n%s", dir, all).isPositive();
  }

  private static long syncs(List<String> calls, String path) {
    return calls.stream().filter(c -> c.matches(".*\\bf(?:data)?sync\\(\\d+<" + Pattern.quote(path) + ">\\) = 0"))
        .count();
  }

  /** The command's fsync, fdatasync and rename calls, from every thread, with the paths of descriptors. */
  private List<String> traced(String... args) throws IOException, InterruptedException {
    Path log = tmp.resolve("strace.log");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of("strace", "-f", "-qq", "-y", "-o", log.toString(),
        "-e", "trace=fsync,fdatasync,rename,renameat,renameat2", "-e", "signal=none",
        java, "-Xmx256m", "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), "com.timereg.hibp.cli.Main"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("command.log").toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("did not finish: " + Files.readString(tmp.resolve("command.log")));
    }
    assertThat(p.exitValue()).as(Files.readString(tmp.resolve("command.log"))).isZero();
    return Files.readAllLines(log).stream().map(l -> l.replaceFirst("^\\d+\\s+", "").strip()).toList();
  }
}
