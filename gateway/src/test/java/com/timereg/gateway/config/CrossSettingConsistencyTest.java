package com.timereg.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings that are each within their range but do not fit together, read through the real loader. */
class CrossSettingConsistencyTest {
  @TempDir Path dir;

  private GatewayConfig load(String yaml) throws IOException {
    return GatewayConfig.load(Files.writeString(dir.resolve("gateway.yaml"), yaml), Map.<String, String>of()::get, true);
  }

  /** Dev mode moves the backend to its demo server: the other backend settings must stay as configured. */
  @Test
  void movingTheBackendKeepsTheConfiguredTunnelLimit() throws IOException {
    GatewayConfig c = load("backend:\n  max-tunnels-per-session: 3\n");

    assertThat(c.withBackend(URI.create("http://127.0.0.1:18000")).backend().maxTunnelsPerSession()).isEqualTo(3);
  }
}
