package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readiness probes share the database pool with logins (pool-size 10 by default). Every /health/ready asked
 * {@code SELECT 1} of the pool, so a storm of probes (many load balancers, a misconfigured probe interval, anyone
 * who reaches the admin listener) queued one pool acquisition per probe ahead of the logins' queries.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class ReadinessProbeStormTest {
  private static final int PROBES = 500;

  @TempDir static Path dir;
  static Gateway gateway;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    gateway = Gateway.start(TestGateways.config(dir, db, Map.of()));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  @Test
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  void fiveHundredConcurrentProbesDoNotTakeFiveHundredPoolConnections(Vertx vertx, VertxTestContext test) {
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(gateway.adminPort()), new PoolOptions().setHttp1MaxSize(PROBES).setMaxWaitQueueSize(-1));
    long[] before = new long[1];
    get(client, "/metrics").compose(metrics -> {
      before[0] = poolUses(metrics);
      List<Future<Integer>> probes = new ArrayList<>();
      for (int i = 0; i < PROBES; i++) {
        probes.add(client.request(HttpMethod.GET, "/health/ready").compose(req -> req.send())
            .compose(resp -> resp.body().map(b -> resp.statusCode())));
      }
      return Future.all(probes).map(all -> probes);
    }).compose(probes -> {
      test.verify(() -> assertThat(probes).allSatisfy(p -> assertThat(p.result()).isEqualTo(200)));
      return get(client, "/metrics");
    }).eventually(client::close).onComplete(test.succeeding(metrics -> test.verify(() -> {
      long uses = poolUses(metrics) - before[0];
      // Without sharing: one SELECT 1 (one pool acquisition) per probe, 500. A few are left to whatever else the
      // node does meanwhile (block sync, revocation resync) and to a probe that comes after the last answer aged.
      assertThat(uses).as("pool acquisitions during %d probes", PROBES).isLessThan(50);
      test.completeNow();
    })));
  }

  private static Future<String> get(HttpClientAgent client, String path) {
    return client.request(HttpMethod.GET, path).compose(req -> req.send()).compose(r -> r.body())
        .map(Object::toString);
  }

  /** How many times the database pool handed out a connection, from Vert.x's pool meters. */
  private static long poolUses(String scrape) {
    return scrape.lines()
        .filter(l -> l.startsWith("vertx_pool_usage_seconds_count{") && l.contains("pool_name=\"gateway-db\""))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst().orElseThrow(() -> new AssertionError("no vertx_pool_usage_seconds_count of gateway-db in "
            + scrape.lines().filter(l -> l.startsWith("vertx_pool")).toList()));
  }
}
