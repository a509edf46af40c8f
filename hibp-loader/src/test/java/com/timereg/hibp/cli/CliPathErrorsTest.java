package com.timereg.hibp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.hibp.HibpSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A path of the wrong kind (a directory where a file belongs) is an error that names that path and says what
 * is wrong with it, in one line with exit status 2: not the operating system's bare "No such device" or
 * "Is a directory", and not the name of a temporary file the user never chose.
 */
class CliPathErrorsTest {
  private static final String A = "00000A94C6AF3E2F6F5D7ACB89B8C4C0E1D2F3A4";
  private static final String B = "00001B3F0C7B8DAE19A2F3D4C5B6A7980A1B2C3D";

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"stats", "verify", "query"})
  void aDirectoryGivenAsTheSetIsNamed(String command) throws IOException {
    Path notASet = Files.createDirectories(dir.resolve("sets"));
    CliTest.Result r = command.equals("query") ? CliTest.run(command, notASet.toString(), "--password", "x")
        : CliTest.run(command, notASet.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("hibp-loader " + command + ": " + notASet).contains("directory");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void anOutputNamedThroughASymbolicLinkReplacesTheFileTheLinkNamesAndKeepsTheLink() throws IOException {
    Path input = Files.writeString(dir.resolve("in.txt"), A + ":1\n" + B + ":2\n");
    Path real = Files.createDirectories(dir.resolve("var")).resolve("pwned.hibp");
    assertThat(CliTest.run("build", input.toString(), "-o", real.toString(), "--build-time", "2025-01-01T00:00:00Z")
        .code()).isZero();
    Path link = Files.createDirectories(dir.resolve("etc")).resolve("pwned.hibp");
    Files.createSymbolicLink(link, Path.of("..", "var", "pwned.hibp"));

    CliTest.Result r = CliTest.run("build", input.toString(), "-o", link.toString(), "--build-time",
        "2026-01-01T00:00:00Z");

    assertThat(r.code()).isZero();
    assertThat(link).isSymbolicLink();
    try (HibpSet set = HibpSet.open(real)) {
      assertThat(set.buildTime()).as("the set the link names").isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    }

    Path generated = dir.resolve("var").resolve("synthetic.txt");
    Files.writeString(generated, "old");
    Path generatedLink = Files.createSymbolicLink(dir.resolve("etc").resolve("synthetic.txt"), generated);
    assertThat(CliTest.run("generate", "-n", "3", "-o", generatedLink.toString()).code()).isZero();
    assertThat(generatedLink).isSymbolicLink();
    assertThat(Files.readAllLines(generated)).hasSize(3);
    try (Stream<Path> left = Stream.concat(Files.list(dir.resolve("var")), Files.list(dir.resolve("etc")))) {
      assertThat(left.map(p -> p.getFileName().toString())).allMatch(name -> !name.endsWith(".tmp"));
    }
  }

  /**
   * As the kernel's protected_symlinks would for a link it followed: one planted in /tmp by another user would
   * otherwise have a build run by root replace whatever file it names.
   */
  @Test
  void aLinkOfAnotherUserInAStickyWorldWritableDirectoryIsNotFollowed() throws IOException {
    Path input = Files.writeString(dir.resolve("in.txt"), A + ":1\n" + B + ":2\n");
    Path victim = Files.writeString(dir.resolve("victim"), "not a set");
    Path shared = Files.createDirectories(dir.resolve("shared"));
    Files.setAttribute(shared, "unix:mode", 01777);
    Path link = Files.createSymbolicLink(shared.resolve("pwned.hibp"), victim);
    try {
      Files.getFileAttributeView(link, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .setOwner(link.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
    } catch (IOException | UnsupportedOperationException notRoot) {
      Assumptions.abort("cannot give the link to another user here: " + notRoot);
    }

    CliTest.Result r = CliTest.run("build", input.toString(), "-o", link.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("hibp-loader build: " + link + ": ").contains("not followed");
    assertThat(Files.readString(victim)).isEqualTo("not a set");
    assertThat(link).isSymbolicLink();
  }

  @Test
  void anEmptyInputFileOrDirectoryOfEmptyPrefixFilesIsNamed() throws IOException {
    Path emptyFile = Files.createFile(dir.resolve("pwnedpasswords.txt"));
    Path emptyLayout = Files.createDirectories(dir.resolve("range"));
    for (int p = 0; p < 16; p++) {
      Files.createFile(emptyLayout.resolve(String.format("%X.txt", p)));
    }
    for (Path input : new Path[] {emptyFile, emptyLayout}) {
      CliTest.Result r = CliTest.run("build", input.toString(), "-o", dir.resolve("set.hibp").toString());

      assertThat(r.code()).isEqualTo(2);
      assertThat(r.err()).startsWith("hibp-loader build: " + input + ": ").contains("no entries");
      assertThat(r.err().strip().lines()).hasSize(1);
      assertThat(dir.resolve("set.hibp")).doesNotExist();
    }
  }

  @Test
  void aDirectoryGivenAsTheOutputIsNamedBeforeTheInputIsRead() throws IOException {
    Path input = Files.writeString(dir.resolve("in.txt"), A + ":1\n" + B + ":2\n");
    Path output = Files.createDirectories(dir.resolve("out"));

    CliTest.Result r = CliTest.run("build", input.toString(), "-o", output.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("hibp-loader build: " + output).contains("directory").doesNotContain(".tmp");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void aDirectoryNamedLikeAPrefixFileIsNamed() throws IOException {
    Path layout = Files.createDirectories(dir.resolve("range"));
    for (int p = 0; p < 16; p++) {
      Files.writeString(layout.resolve(String.format("%X.txt", p)), String.format("%X", p).repeat(39) + ":1\r\n");
    }
    Files.delete(layout.resolve("7.txt"));
    Path odd = Files.createDirectories(layout.resolve("7.txt"));

    CliTest.Result r = CliTest.run("build", layout.toString(), "-o", dir.resolve("set.hibp").toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("hibp-loader build: " + odd + ": ");
    assertThat(r.err().strip().lines()).hasSize(1);
  }
  @Test
  void anOutputThatIsTheInputIsRefusedAndTheDownloadKept() throws IOException {
    String text = A + ":1\n" + B + ":2\n";
    Path input = Files.writeString(dir.resolve("in.txt"), text);

    CliTest.Result r = CliTest.run("build", input.toString(), "-o", input.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("hibp-loader build: " + input).contains("input");
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(Files.readString(input)).isEqualTo(text);
  }

  /**
   * {@code generate -o} naming its own {@code --include-passwords} file: the list was read, then the rename put
   * the generated hashes in its place, and the plaintexts (with their counts) were gone. Refused like a build
   * whose output is its input.
   */
  @Test
  void aGenerateOutputThatIsThePasswordFileIsRefusedAndTheListKept() throws IOException {
    String text = "hunter2\t5000\ncorrect horse\n";
    Path passwords = Files.writeString(dir.resolve("pw.txt"), text);
    Path sameFile = dir.resolve(".").resolve("pw.txt");

    CliTest.Result r = CliTest.run("generate", "-n", "10", "--include-passwords", passwords.toString(),
        "-o", sameFile.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("hibp-loader generate: " + sameFile).contains("password file")
        .doesNotContain(".tmp");
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(Files.readString(passwords)).isEqualTo(text);
  }

  /**
   * A long output name that the file system takes (up to 255 bytes): the hidden temporary files beside it are
   * named after it with about 25 and 60 bytes more, and a name over about 195 bytes failed with "File name too
   * long" naming a temporary file the user never chose (70 characters of Chinese are 210 bytes).
   */
  @Test
  void aLongOutputNameIsWrittenNotRefusedForItsTemporaryFilesNames() throws IOException {
    String stem = "pwned-" + "\u5bc6\u7801".repeat(35) + "-2026";
    Path input = dir.resolve(stem + ".txt");
    Path set = dir.resolve(stem + ".set");
    assertThat(set.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
        .isBetween(200, 255);

    CliTest.Result generated = CliTest.run("generate", "-n", "10", "-o", input.toString());
    CliTest.Result built = CliTest.run("build", input.toString(), "-o", set.toString());

    assertThat(generated.code()).as(generated.err()).isZero();
    assertThat(built.code()).as(built.err()).isZero();
    assertThat(built.out()).contains("10 entries");
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(stem + ".txt", stem + ".set");
    }
  }

  @Test
  void anOutputThatIsAPrefixFileOfTheInputIsRefusedAndTheDownloadKept() throws IOException {
    Path layout = Files.createDirectories(dir.resolve("range"));
    for (int p = 0; p < 16; p++) {
      Files.writeString(layout.resolve(String.format("%X.txt", p)), String.format("%X", p).repeat(39) + ":1\n");
    }
    Path prefixFile = layout.resolve("F.txt");
    String before = Files.readString(prefixFile);

    CliTest.Result r = CliTest.run("build", layout.toString(), "-o", prefixFile.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("hibp-loader build: " + prefixFile).contains("input");
    assertThat(Files.readString(prefixFile)).isEqualTo(before);
  }
  @Test
  void anOutputDirectoryThatTakesNoFilesIsNamedNotTheTemporaryFile() throws IOException {
    // /proc takes no new files, whoever asks (a directory made read-only would not stop root).
    Path procfs = Path.of("/proc");
    Assumptions.assumeTrue(Files.isDirectory(procfs.resolve("self")), "Linux /proc");
    Path input = Files.writeString(dir.resolve("in.txt"), A + ":1\n" + B + ":2\n");
    Path output = procfs.resolve("set.hibp");

    CliTest.Result r = CliTest.run("build", input.toString(), "-o", output.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("hibp-loader build: " + output + ": ").doesNotContain(".tmp");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void aDirectoryGivenAsTheGenerateOutputIsNamedNotTheTemporaryFile() throws IOException {
    Path output = Files.createDirectories(dir.resolve("synthetic"));

    CliTest.Result r = CliTest.run("generate", "-n", "10", "-o", output.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("hibp-loader generate: " + output).contains("directory").doesNotContain(".tmp");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void aMissingGenerateOutputDirectoryIsNamedNotTheTemporaryFile() {
    Path missing = dir.resolve("no-such-dir");

    CliTest.Result r = CliTest.run("generate", "-n", "10", "-o", missing.resolve("in.txt").toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("hibp-loader generate: ").contains(missing.toString()).doesNotContain(".tmp");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void theRootGivenAsTheOutputIsNamedAsADirectory() throws IOException {
    Path input = Files.writeString(dir.resolve("in.txt"), A + ":1\n" + B + ":2\n");

    CliTest.Result build = CliTest.run("build", input.toString(), "-o", "/");
    CliTest.Result generate = CliTest.run("generate", "-n", "3", "-o", "/");

    assertThat(build.code()).isEqualTo(2);
    assertThat(build.err()).isEqualTo("hibp-loader build: /: is a directory; name the set file to write\n");
    assertThat(generate.code()).isEqualTo(2);
    assertThat(generate.err()).isEqualTo("hibp-loader generate: /: is a directory; name the file to write\n");
  }

  @Test
  void anOutputUnderAFileSaysThatFileIsNotADirectoryRatherThanMissing() throws IOException {
    Path input = Files.writeString(dir.resolve("in.txt"), A + ":1\n" + B + ":2\n");

    CliTest.Result build = CliTest.run("build", input.toString(), "-o", input.resolve("x.hibp").toString());
    CliTest.Result generate = CliTest.run("generate", "-n", "3", "-o", input.resolve("x.txt").toString());

    for (CliTest.Result r : new CliTest.Result[] {build, generate}) {
      assertThat(r.code()).isEqualTo(2);
      assertThat(r.err()).contains(": " + input + ": not a directory").doesNotContain("no such file");
      assertThat(r.err().strip().lines()).hasSize(1);
    }
  }
}
