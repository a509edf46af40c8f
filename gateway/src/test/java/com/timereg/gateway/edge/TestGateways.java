package com.timereg.gateway.edge;

import com.timereg.gateway.config.GatewayConfig;
import com.timereg.gateway.store.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Configuration for in-process gateways in tests: ports 0, data under the test's directory. */
public final class TestGateways {
  private TestGateways() {}

  public static GatewayConfig config(Path dir, TestDatabase db, Map<String, String> overrides) throws IOException {
    Path file = dir.resolve("gateway-test.yaml");
    Files.writeString(file, "");
    Map<String, String> env = new HashMap<>(Map.of(
        "GATEWAY_DATA_DIR", dir.resolve("data").toString(),
        "GATEWAY_PUBLIC__PORT", "0",
        "GATEWAY_ADMIN__PORT", "0",
        "GATEWAY_HTTP_REDIRECT__PORT", "0",
        // Written, so that every test runs the access log, but not into the build's output.
        "GATEWAY_PUBLIC__ACCESS_LOG", dir.resolve("access.log").toString()));
    env.putAll(overrides);
    return GatewayConfig.load(file, env::get, true).withDatabase(db.databaseSettings());
  }

  /** Starts a gateway whose throttle (and what counts as it does) goes by {@code throttleClock}, for other packages' tests. */
  public static Gateway start(GatewayConfig config, java.time.Clock throttleClock) throws Exception {
    return Gateway.start(config, throttleClock);
  }
}
