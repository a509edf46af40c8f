package com.timereg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/gateway} with a Java older than 17 says that Java 17 or newer is needed, instead of passing on the
 * old JVM's "Unrecognized option" for one of the flags of jvm.options, which does not say what to do.
 */
class BinGatewayJavaVersionIT {
  @TempDir Path dir;

  @Test
  void aJavaOlderThan17IsNamedAsTheProblem() throws Exception {
    // A JDK 11 as far as the script can tell: its release file, and a java that answers the gateway's flags as
    // JDK 11's does.
    Path home = dir.resolve("jdk-11");
    Files.createDirectories(home.resolve("bin"));
    Files.writeString(home.resolve("release"), "JAVA_VERSION=\"11.0.22\"\nIMPLEMENTOR=\"Eclipse Adoptium\"\n");
    Path java = home.resolve("bin").resolve("java");
    Files.writeString(java, "#!/bin/sh\necho 'Unrecognized option: --enable-native-access=ALL-UNNAMED' >&2\n"
        + "echo 'Error: Could not create the Java Virtual Machine.' >&2\nexit 1\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path repo = GatewayProcess.moduleDir().getParent();

    ProcessBuilder pb = new ProcessBuilder(repo.resolve("bin/gateway").toString(), "--version")
        .directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", home.toString());
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exits by itself").isTrue();
    String out = new String(p.getInputStream().readAllBytes());

    assertThat(p.exitValue()).as(out).isNotZero();
    assertThat(out).as(out).contains("Java 17 or newer").contains(home.toString()).doesNotContain("Unrecognized option");
  }
}
