package com.timereg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code gateway --version} names the build an operator runs (it printed an empty line). */
class VersionIT {
  @Test
  void theJarNamesItsVersionAndTheJava() throws Exception {
    Path jar = GatewayProcess.moduleDir().resolve("target").resolve("gateway.jar");
    Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toString(), "--version")).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exits by itself").isTrue();
    String out = new String(p.getInputStream().readAllBytes());

    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out.lines().toList()).as(out).hasSize(2);
    assertThat(out.lines().findFirst().orElseThrow()).matches("gateway \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    assertThat(out).contains("Java " + Runtime.version().feature());
  }
}
