package com.timereg.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.GatewayProcess;
import com.timereg.gateway.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InvalidConfigurationIT {
  @TempDir Path dir;

  @Test
  void processExitsNonZeroNamingAllThreeMistakes() throws Exception {
    Path config = dir.resolve("broken.yaml");
    Files.writeString(config, String.join("\n",
        "public:",
        "  port: eighty",
        "tls:",
        "  reload-interval: soon",
        "database:",
        "  password: plaintext-in-file",
        ""));
    Process p = GatewayProcess.builder(Map.of(), "--config", config.toString()).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exits by itself").isTrue();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.exitValue()).isEqualTo(Main.EXIT_CONFIG);
    assertThat(out)
        .contains("public.port: expected a whole number, got 'eighty'")
        .contains("tls.reload-interval: expected a duration")
        .contains("database.password: secrets must be a reference")
        .doesNotContain("plaintext-in-file")
        .doesNotContain("Exception");
  }
}
