package com.timereg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar gateway.jar} without the flags of {@code jvm.options} (README: the gateway needs them) is an
 * easy mistake. Chronicle Map then fails with an {@code Error}, not an exception: the start must still end with
 * its one line saying why and what to do, and exit status 1, not "Exception in thread main" and a stack trace.
 */
@ExtendWith(PostgresExtension.class)
class StartWithoutJvmOptionsIT {
  @TempDir Path dir;

  @Test
  void aJvmStartedWithoutTheGatewaysFlagsGivesOneLineNamingJvmOptions(TestDatabase db) throws Exception {
    Path key = RunningGateway.writeSigningKey(dir.resolve("signing.pem"));
    Map<String, String> env = RunningGateway.environment(dir.resolve("data"), db.settings(), key);
    Path config = Files.writeString(dir.resolve("gateway.yaml"), "# everything from the environment\n");
    Path jar = GatewayProcess.moduleDir().resolve("target").resolve("gateway.jar");
    ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toString(), "--config", config.toString())).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("exits by itself").isTrue();
    String out = new String(p.getInputStream().readAllBytes());

    assertThat(p.exitValue()).as(out).isEqualTo(1);
    assertThat(out).contains("gateway failed to start: ").contains("jvm.options")
        .doesNotContain("Exception in thread")
        .doesNotContainPattern("(?m)^\\s+at [a-z]");
  }
}
