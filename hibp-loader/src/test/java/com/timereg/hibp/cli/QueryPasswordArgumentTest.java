package com.timereg.hibp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code query --password} with a password that is not ASCII, in a real JVM started under a given locale: the
 * JVM decodes its command line in the locale's encoding, so under the C or POSIX locale (cron, {@code env -i},
 * containers without a locale) every byte above 127 arrives as U+FFFD, and the hash of another password would be
 * looked up and a breached password called "not found".
 */
class QueryPasswordArgumentTest {
  private static final String PASSWORD = "pässwörd€";

  @TempDir
  Path dir;
  private Path set;

  @BeforeEach
  void buildASetHoldingThePassword() throws IOException {
    Path passwords = Files.writeString(dir.resolve("pw.txt"), PASSWORD + "\t12\n", StandardCharsets.UTF_8);
    Path input = dir.resolve("in.txt");
    assertThat(CliTest.run("generate", "-n", "100", "--include-passwords", passwords.toString(), "-o",
        input.toString()).code()).isZero();
    set = dir.resolve("set.hibp");
    assertThat(CliTest.run("build", input.toString(), "-o", set.toString()).code()).isZero();
  }

  @Test
  void aPasswordTheLocaleCannotDecodeIsRefusedNotCalledNotFound() throws Exception {
    Query utf8 = query("C.UTF-8");
    assertThat(utf8.out).as("the same command in a UTF-8 locale").contains("(pwned: seen 8 to 15 times)");
    assertThat(utf8.code).isZero();

    Query ascii = query("C");
    assertThat(ascii.out).as("stdout").doesNotContain("not found");
    assertThat(ascii.err).contains("--password").contains("UTF-8 locale").contains("--password-stdin")
        .contains("nothing was looked up").doesNotContain("\tat ");
    assertThat(ascii.code).isEqualTo(Main.ERROR);
  }

  /**
   * Runs the query in another JVM under {@code locale}. The password's UTF-8 bytes go through a script file, not
   * this JVM's own argument encoding, which depends on the locale the tests run in.
   */
  private Query query(String locale) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path script = dir.resolve("query-" + locale + ".sh");
    Files.writeString(script, "exec '" + java + "' -Xmx128m -cp '" + System.getProperty("java.class.path")
        + "' com.timereg.hibp.cli.Main query '" + set + "' --password '" + PASSWORD + "'\n", StandardCharsets.UTF_8);
    ProcessBuilder builder = new ProcessBuilder("sh", script.toString())
        .redirectOutput(dir.resolve("out-" + locale).toFile()).redirectError(dir.resolve("err-" + locale).toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.equals("LANG") || name.equals("LANGUAGE") || name.startsWith("LC_"));
    env.put("LC_ALL", locale);
    Process p = builder.start();
    try {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly();
    }
    return new Query(p.exitValue(), Files.readString(dir.resolve("out-" + locale)),
        Files.readString(dir.resolve("err-" + locale)));
  }

  private record Query(int code, String out, String err) {}
}
