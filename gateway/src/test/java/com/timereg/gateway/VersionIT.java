package com.timereg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code gateway --version} names the build an operator runs (it printed an empty line). */
class VersionIT {
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"--version", "admin --version", "admin blocks -V"})
  void theJarNamesItsVersionAndTheJava(String command) throws Exception {
    Path jar = GatewayProcess.moduleDir().resolve("target").resolve("gateway.jar");
    List<String> line = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
    line.addAll(List.of(command.split(" ")));
    Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exits by itself").isTrue();
    String out = new String(p.getInputStream().readAllBytes());

    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out.lines().toList()).as(out).hasSize(2);
    assertThat(out.lines().findFirst().orElseThrow()).matches("gateway \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    assertThat(out).contains("Java " + Runtime.version().feature());
  }
}
