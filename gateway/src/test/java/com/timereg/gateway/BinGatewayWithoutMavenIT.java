package com.timereg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/gateway} in a checkout without a built jar, on a machine without Maven: it says that the jar must be
 * built and Maven is missing, instead of bash's "mvn: command not found" (exit status 127).
 */
class BinGatewayWithoutMavenIT {
  @TempDir Path dir;

  @Test
  void aJarToBuildWithoutMavenIsNamedAsTheProblem() throws Exception {
    Path repo = GatewayProcess.moduleDir().getParent();
    // A checkout whose jar was never built: the script alone.
    Path checkout = dir.resolve("checkout");
    Files.createDirectories(checkout.resolve("bin"));
    Path script = Files.copy(repo.resolve("bin/gateway"), checkout.resolve("bin/gateway"));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    // A PATH with what the script uses, and no mvn.
    Path tools = Files.createDirectories(dir.resolve("tools"));
    for (String tool : new String[] {"bash", "dirname", "readlink", "sed", "find", "cat", "touch"}) {
      for (String where : new String[] {"/usr/bin/", "/bin/"}) {
        Path real = Path.of(where + tool);
        if (Files.isExecutable(real) && !Files.exists(tools.resolve(tool))) {
          Files.createSymbolicLink(tools.resolve(tool), real);
        }
      }
    }

    ProcessBuilder pb = new ProcessBuilder(tools.resolve("bash").toString(), script.toString(), "--version")
        .directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("PATH", tools.toString());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exits by itself").isTrue();
    String out = new String(p.getInputStream().readAllBytes());

    assertThat(p.exitValue()).as(out).isEqualTo(1);
    assertThat(out).as(out).contains("Maven").contains("gateway/target/gateway.jar")
        .doesNotContain("command not found");
  }
}
