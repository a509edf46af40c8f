package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Health and metrics on the admin listener, against a real PostgreSQL that goes away and comes back. */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class AdminListenerTest {
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

  private static Future<Response> get(Vertx vertx, String path) {
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions()
        .setDefaultHost("127.0.0.1").setDefaultPort(gateway.adminPort()));
    return client.request(HttpMethod.GET, path)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> new Response(resp.statusCode(), body)))
        .eventually(client::close);
  }

  record Response(int status, Buffer body) {}

  @Test
  void theImagesHealthCheckFindsThePlainAdminListenerOnItsPort() throws Exception {
    Path data = dir.resolve("data");
    assertThat(java.nio.file.Files.readAllLines(data.resolve("admin-listener.url")))
        .containsExactly("http://127.0.0.1:" + gateway.adminPort(), Long.toString(ProcessHandle.current().pid()));
    assertThat(com.timereg.gateway.config.ShippedImageTest.runHealthCheck(data)).isZero();
  }

  @Test
  void livenessAnswers(Vertx vertx, VertxTestContext test) {
    get(vertx, "/health/live").onComplete(test.succeeding(r -> test.verify(() -> {
      assertThat(r.status()).isEqualTo(200);
      test.completeNow();
    })));
  }

  @Test
  void metricsExposeJvmAndHttpServerMeters(Vertx vertx, VertxTestContext test) {
    // One public request first, so the HTTP server meters have something to count.
    HttpClientAgent https = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true)
        .setVerifyHost(false).setDefaultHost("localhost").setDefaultPort(gateway.publicPort()));
    https.request(HttpMethod.GET, "/x").compose(req -> req.send()).compose(r -> r.body())
        .eventually(https::close)
        .compose(v -> get(vertx, "/metrics"))
        .onComplete(test.succeeding(r -> test.verify(() -> {
          String text = r.body().toString();
          assertThat(r.status()).isEqualTo(200);
          assertThat(text).contains("jvm_memory_used_bytes").contains("jvm_threads_live_threads")
              .contains("vertx_http_server_requests_total").contains("vertx_http_server_response_time_seconds");
          test.completeNow();
        })));
  }

  @Test
  // Stopping and starting the shared server takes seconds on a loaded machine (a stop may wait up to
  // LocalPostgres.FAST_STOP_SECONDS before it escalates): more than the default 30 s for the whole test.
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  void readinessFollowsPostgresDownAndBackWithoutRestart(Vertx vertx, VertxTestContext test, TestDatabase db) throws Exception {
    Assumptions.assumeTrue(db.canRestartServer(), "needs a local PostgreSQL the test may stop");
    get(vertx, "/health/ready")
        .compose(r -> {
          test.verify(() -> assertThat(r.status()).isEqualTo(200));
          return vertx.executeBlocking(() -> {
            db.stopServer();
            return null;
          });
        })
        .compose(v -> pollStatus(vertx, 503, 100))
        .compose(r -> {
          test.verify(() -> assertThat(new JsonObject(r.body()).getJsonArray("checks").getJsonObject(0)
              .getString("status")).isEqualTo("DOWN"));
          return vertx.executeBlocking(() -> {
            db.startServer();
            return null;
          });
        })
        .compose(v -> pollStatus(vertx, 200, 100))
        .onComplete(test.succeeding(r -> test.verify(() -> {
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.body().toString()).contains("\"name\":\"postgresql\"").contains("\"status\":\"UP\"");
          test.completeNow();
        })));
  }

  /** Asks for readiness every 100 ms until it reports {@code status}, at most {@code tries} times. */
  private static Future<Response> pollStatus(Vertx vertx, int status, int tries) {
    return get(vertx, "/health/ready").compose(r -> r.status() == status || tries <= 1
        ? Future.succeededFuture(r)
        : Future.<Void>future(p -> vertx.setTimer(100, t -> p.complete())).compose(v -> pollStatus(vertx, status, tries - 1)));
  }
}
