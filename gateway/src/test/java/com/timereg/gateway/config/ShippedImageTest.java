package com.timereg.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Dockerfile against the configuration it ships: what it exposes and what its health check asks. */
public class ShippedImageTest {
  private static final Path DOCKERFILE = Path.of("../Dockerfile");
  private static final Path SHIPPED = Path.of("../conf/gateway.yaml");

  private static GatewayConfig shipped() {
    // The image sets GATEWAY_DATA_DIR only; dev mode spares the signing key, and the admin listener is the same.
    return GatewayConfig.load(SHIPPED, Map.of("GATEWAY_DATA_DIR", "/var/lib/gateway")::get, true);
  }

  private static List<String> instruction(String name) throws IOException {
    return Files.readAllLines(DOCKERFILE).stream().filter(l -> l.startsWith(name + " ")).toList();
  }

  @Test
  void exposesOnlyPortsTheShippedConfigurationServesBeyondLoopback() throws Exception {
    GatewayConfig c = shipped();
    List<Integer> exposed = instruction("EXPOSE").stream()
        .flatMap(l -> Arrays.stream(l.substring("EXPOSE ".length()).trim().split("\\s+")))
        .map(p -> Integer.parseInt(p.replace("/tcp", ""))).toList();
    assertThat(exposed).contains(c.publicListener().port());
    if (InetAddress.getByName(c.admin().host()).isLoopbackAddress()) {
      // Published (docker run -P, or -p 9090:9090), it would lead nowhere: nothing outside the container answers.
      assertThat(exposed).doesNotContain(c.admin().port());
    }
  }

  /** The command of the image's HEALTHCHECK, continuation lines joined, as its shell runs it. */
  public static String healthCheckCommand() throws IOException {
    String all = String.join("\n", Files.readAllLines(DOCKERFILE)).replace("\\\n", " ");
    Matcher m = Pattern.compile("(?m)^HEALTHCHECK .*? CMD (.*)$").matcher(all);
    assertThat(m.find()).as("HEALTHCHECK ... CMD").isTrue();
    return m.group(1).strip();
  }

  @Test
  void theHealthCheckAsksWhereTheRunningGatewaySaysItsAdminListenerIs() throws Exception {
    // Not a fixed http://127.0.0.1:9090: an admin.port, admin.host or admin.tls in the mounted configuration (which
    // README invites for metrics and the console) left such a container unhealthy for good. The command is run
    // against real gateways in AdminListenerTest and ExposedAdminListenerTest.
    assertThat(healthCheckCommand()).contains("$GATEWAY_DATA_DIR/admin-listener.url").contains("/health/live")
        .doesNotContain("9090");
    assertThat(instruction("ENV")).anyMatch(l -> l.contains("GATEWAY_DATA_DIR=" + shipped().dataDir()));
  }

  /** Runs the image's health check with {@code dataDir} as the data directory; its exit status. */
  public static int runHealthCheck(Path dataDir) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", healthCheckCommand()).redirectErrorStream(true);
    pb.environment().put("GATEWAY_DATA_DIR", dataDir.toString());
    Process p = pb.start();
    p.getInputStream().readAllBytes();
    if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the health check did not end within 30 s");
    }
    return p.exitValue();
  }
}
