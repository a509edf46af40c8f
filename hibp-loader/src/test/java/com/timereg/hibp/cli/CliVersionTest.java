package com.timereg.hibp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.hibp.HibpSetFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code --version} names the set format this build writes and reads, not one it refuses. */
class CliVersionTest {
  @Test
  void versionNamesTheFormatThisBuildWritesAndReads() {
    StringWriter out = new StringWriter();
    int code = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(new StringWriter(), true))
        .execute("--version");

    assertThat(code).isZero();
    assertThat(out.toString().strip()).isEqualTo("hibp-loader set format " + HibpSetFormat.VERSION);
  }
}
