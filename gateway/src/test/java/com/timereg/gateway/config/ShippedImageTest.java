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
class ShippedImageTest {
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

  @Test
  void theHealthCheckAsksTheShippedAdminListener() throws Exception {
    GatewayConfig c = shipped();
    Matcher m = Pattern.compile("curl [^h]*http://([^:/]+):(\\d+)/health/live").matcher(
        String.join("\n", Files.readAllLines(DOCKERFILE)));
    assertThat(m.find()).as("HEALTHCHECK curl of /health/live").isTrue();
    assertThat(Integer.parseInt(m.group(2))).isEqualTo(c.admin().port());
    assertThat(c.admin().tls().enabled()).as("the check speaks plain HTTP").isFalse();
    InetAddress bound = InetAddress.getByName(c.admin().host());
    assertThat(bound.isAnyLocalAddress() || bound.equals(InetAddress.getByName(m.group(1)))).isTrue();
  }
}
