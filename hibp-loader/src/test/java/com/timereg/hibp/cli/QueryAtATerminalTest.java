package com.timereg.hibp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code query --password-stdin} at a real terminal (a pseudo-terminal from util-linux's {@code script}): the
 * password is asked for and not echoed. Read as a line from stdin, it stood on the screen as typed, in the
 * terminal's scrollback and in any recording of the session.
 */
class QueryAtATerminalTest {
  @TempDir
  Path dir;
  private Path set;

  @BeforeEach
  void buildASet() throws IOException {
    Path passwords = Files.writeString(dir.resolve("pw.txt"), "hunter2\n");
    Path input = dir.resolve("in.txt");
    assertThat(CliTest.run("generate", "-n", "100", "--include-passwords", passwords.toString(), "-o",
        input.toString()).code()).isZero();
    set = dir.resolve("set.hibp");
    assertThat(CliTest.run("build", input.toString(), "-o", set.toString()).code()).isZero();
  }

  @Test
  void aPasswordTypedAtATerminalIsAskedForAndNotShown() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    String command = "'" + java + "' -Xmx128m -cp '" + System.getProperty("java.class.path")
        + "' com.timereg.hibp.cli.Main query '" + set + "' --password-stdin";
    Process query = new ProcessBuilder("script", "-qec", command, "/dev/null").redirectErrorStream(true).start();
    ByteArrayOutputStream screen = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> copy(query.getInputStream(), screen));
    reader.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      // Typed only once asked: the terminal echoes what comes before the echo is turned off.
      while (!text(screen).contains("Password") && query.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(text(screen)).as("the prompt").contains("Password (not shown): ");
      OutputStream keyboard = query.getOutputStream();
      keyboard.write("hunter2\r".getBytes(StandardCharsets.US_ASCII));
      keyboard.flush();
      assertThat(query.waitFor(60, TimeUnit.SECONDS)).isTrue();
      reader.join(10_000);
    } finally {
      query.destroyForcibly();
    }
    assertThat(text(screen)).as("the screen").contains("(pwned: seen ").doesNotContain("hunter2");
    assertThat(query.exitValue()).isZero();
  }

  private static String text(ByteArrayOutputStream screen) {
    synchronized (screen) {
      return screen.toString(StandardCharsets.UTF_8);
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream to) {
    byte[] buffer = new byte[4096];
    try {
      for (int n; (n = in.read(buffer)) > 0; ) {
        synchronized (to) {
          to.write(buffer, 0, n);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }
}
