package com.timereg.hibp.cli;

import com.timereg.hibp.ExitCleanup;
import com.timereg.hibp.HibpSetWriter;
import com.timereg.hibp.build.SetBuilder;
import com.timereg.hibp.generate.KnownPassword;
import com.timereg.hibp.generate.SyntheticGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "generate", mixinStandardHelpOptions = true,
    description = {"Writes a synthetic data set in HIBP's single-file format (upper-case SHA1:COUNT lines "
        + "sorted by hash) for tests and benchmarks, in constant memory.",
        "Counts follow a heavy tail like HIBP's (P(count >= k) = k^-1.2). Deterministic for a given seed."})
final class GenerateCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "-n", required = true, paramLabel = "N", description = "Number of random hashes.")
  long count;

  @Option(names = "--include-passwords", paramLabel = "FILE",
      description = "Passwords to add (one per line, UTF-8, optionally TAB and a count).")
  Path passwords;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "<file>")
  Path output;

  @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--crlf", description = "End lines with CRLF instead of LF.")
  boolean crlf;

  @Override
  public Integer call() throws Exception {
    if (count < 0) {
      throw new IllegalArgumentException("-n must not be negative");
    }
    if (passwords != null && Files.exists(output) && Files.exists(passwords) && Files.isSameFile(passwords, output)) {
      // The list is read before anything is written, but the rename at the end would put the generated hashes in
      // its place: the plaintexts and their counts would be gone.
      throw new FileSystemException(output.toString(), null, "is the password file; name another file to write");
    }
    List<KnownPassword> known = passwords == null ? List.of() : KnownPassword.read(passwords);
    // A link's target is replaced, not the link (see SetBuilder.followLinks).
    Path file = SetBuilder.followLinks(output);
    Path dir = file.getParent();
    // Checked here so that the error names what the user gave, not the hidden temporary file beside it.
    BuildCommand.checkOutputDirectory(output);
    if (Files.isDirectory(output)) {
      throw new FileSystemException(output.toString(), null, "is a directory; name the file to write");
    }
    // A stop from outside (Ctrl-C, SIGTERM) runs no finally block: without the hook a temporary file as large
    // as the data set (tens of GB for benchmark sizes) would stay. In place before the file exists.
    Path temp = HibpSetWriter.temporaryName(dir, "." + file.getFileName() + "-");
    Progress progress = Progress.onTerminal("lines");
    long expected = count + known.size();
    ExitCleanup cleanupOnExit = new ExitCleanup("hibp-generate-cleanup", () -> ExitCleanup.deleteQuietly(temp));
    try {
      long lines;
      OutputStream[] opened = new OutputStream[1];
      cleanupOnExit.create(() -> opened[0] = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE));
      try (OutputStream out = opened[0]) {
        lines = new SyntheticGenerator(count, known, seed, crlf)
            .write(out, done -> {
              if (progress != null) {
                progress.update(done, expected, "");
              }
            });
      } catch (IOException e) {
        // Only writes fail here (the password list was read above): a full disk, named like a read error.
        throw SetBuilder.writeFailed(output, e);
      } finally {
        if (progress != null) {
          progress.done();
        }
      }
      // Forced to disk before the rename and the directory after it: without, a power cut could leave the output
      // name holding an empty or partial file (cut at a line end, build would take it as the whole data set).
      SetBuilder.putInPlace(temp, file, output);
      spec.commandLine().getOut().printf("wrote %s: %,d lines (%,d random, %,d from %s)%n", output, lines, count,
          lines - count, passwords == null ? "no password file" : passwords);
    } finally {
      try {
        Files.deleteIfExists(temp);
      } finally {
        cleanupOnExit.close();
      }
    }
    return Main.OK;
  }
}
