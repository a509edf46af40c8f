package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.timereg.gateway.blocks.MicrometerBlockSyncMetrics;
import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.password.MicrometerPasswordMetrics;
import com.timereg.gateway.password.PasswordMetrics;
import com.timereg.gateway.proxy.MicrometerProxyMetrics;
import com.timereg.gateway.proxy.ProxyFailure;
import com.timereg.gateway.throttle.BlockRegistry;
import com.timereg.gateway.throttle.FailureKind;
import com.timereg.gateway.throttle.MicrometerThrottleMetrics;
import com.timereg.gateway.throttle.ThrottlePolicy;
import com.timereg.gateway.throttle.ThrottleService;
import com.timereg.gateway.throttle.ThrottleStorage;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * conf/grafana-dashboard.json asks only for meters the gateway really exports: every
 * {@code gateway_*} series in its queries is in a Prometheus scrape of the gateway's own meter
 * classes, exercised once so that meters registered on first use exist too.
 */
class GrafanaDashboardTest {
  static final Path DASHBOARD = Path.of("..", "conf", "grafana-dashboard.json");

  static Set<String> scrapedSeriesNames() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ThrottleStorage storage = ThrottleStorage.inMemory(1000, 1000);
    MicrometerThrottleMetrics throttleMetrics = new MicrometerThrottleMetrics(registry);
    ThrottleService throttle = new ThrottleService(ThrottlePolicy.DEFAULTS, new ClientKeys(ClientKeyPolicy.DEFAULTS),
        storage.clients(), storage.ranges(), new BlockRegistry(), Clock.systemUTC(), throttleMetrics, Runnable::run);
    throttleMetrics.degraded("store-error");
    for (int i = 0; i < 10; i++) {
      throttle.recordFailure(InetAddress.getByName("192.0.2.1"), null, FailureKind.WRONG_PASSWORD);
    }
    throttle.maintain();
    MicrometerBlockSyncMetrics blocks = new MicrometerBlockSyncMetrics(registry);
    blocks.bind(() -> true);
    blocks.written("block");
    blocks.writeFailed("block", "unavailable");
    blocks.notification("invalid");
    blocks.reload(true);
    blocks.listenerLost();
    new com.timereg.gateway.login.MicrometerLoginMetrics(registry).attempt("password", "success");
    MicrometerProxyMetrics proxy = new MicrometerProxyMetrics(registry);
    proxy.requestCompleted(200, 1_000_000);
    proxy.failed(ProxyFailure.values()[0]);
    MicrometerPasswordMetrics password = new MicrometerPasswordMetrics(registry);
    password.bindPool(() -> 0, () -> 0);
    password.verification(PasswordMetrics.Outcome.MATCH, 1_000_000);
    password.verification(PasswordMetrics.Outcome.SATURATED, 0);
    password.queueWait(1000);
    Set<String> names = new TreeSet<>();
    for (String line : registry.scrape().split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
        names.add(line.substring(0, end));
      }
    }
    return names;
  }

  static List<String> expressions(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> {
        if (e.getKey().equals("expr")) {
          out.add(e.getValue().asText());
        } else {
          out.addAll(expressions(e.getValue()));
        }
      });
    } else if (node.isArray()) {
      node.forEach(n -> out.addAll(expressions(n)));
    }
    return out;
  }

  @Test
  void everyGatewayMetricInTheDashboardIsExported() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
    Set<String> exported = scrapedSeriesNames();
    Set<String> used = new TreeSet<>();
    Matcher m = Pattern.compile("gateway_[a-z0-9_]+").matcher(String.join("\n", expressions(dashboard)));
    while (m.find()) {
      used.add(m.group());
    }
    assertThat(used).contains("gateway_login_attempts_total", "gateway_throttle_blocks_active",
        "gateway_throttle_surge_active", "gateway_proxy_requests_seconds_bucket", "gateway_password_pool_queue");
    assertThat(exported).containsAll(used);
  }

  @Test
  void panelsAreWellFormed() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
    assertThat(dashboard.get("uid").asText()).isEqualTo("auth-gateway-security");
    Set<Integer> ids = new HashSet<>();
    for (JsonNode p : dashboard.get("panels")) {
      assertThat(ids.add(p.get("id").asInt())).as("unique id %s", p.get("id")).isTrue();
      assertThat(p.get("title").asText()).isNotBlank();
      assertThat(p.get("gridPos").get("w").asInt()).isBetween(1, 24);
      if (!p.get("type").asText().equals("row")) {
        assertThat(p.get("targets")).as(p.get("title").asText()).isNotEmpty();
        assertThat(p.get("datasource").get("uid").asText()).isEqualTo("${DS_PROMETHEUS}");
      }
    }
  }
}
