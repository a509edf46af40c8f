package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.config.GatewayConfig;
import com.timereg.gateway.edge.GatewayClient.Reply;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.store.ConnectionSettings;
import com.timereg.gateway.store.DatabaseSettings;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.TcpRelay;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL that stops answering without closing its connections (a frozen server, a network partition,
 * a full disk): a login must not wait for it for ever. The gateway reaches the database through a relay
 * the test can freeze: connections stay open, but no byte passes any more.
 */
@ExtendWith(PostgresExtension.class)
class UnresponsiveDatabaseEndToEndTest {
  static final String USER = "heidi@e2e.test";
  static final String PASSWORD = "Heidi-timesheets-2026";
  /** The gateway's bound on a database that says nothing (database.idle-timeout). */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);
  /** Far above that bound, so a hang fails the test instead of passing slowly. */
  static final long CLIENT_PATIENCE_SECONDS = 15;

  @TempDir static Path dir;
  static Vertx vertx;
  static Vertx relayVertx;
  static TcpRelay relay;
  static Gateway gateway;
  static GatewayClient http;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    relayVertx = Vertx.vertx();
    ConnectionSettings real = db.settings();
    relay = Await.await(TcpRelay.start(relayVertx, real.host(), real.port()));
    int relayPort = relay.port();
    Map<String, String> env = new HashMap<>(E2eGateway.defaults());
    env.put("GATEWAY_BACKEND__URL", "http://127.0.0.1:9");
    DatabaseSettings viaRelay = db.databaseSettings();
    GatewayConfig config = TestGateways.config(dir, db, env);
    config = config.withDatabase(new DatabaseSettings(
        new ConnectionSettings("127.0.0.1", relayPort, real.database(), real.user(), real.password()),
        viaRelay.maxPoolSize(), viaRelay.connectTimeout(), viaRelay.sslMode(), IDLE_TIMEOUT));
    gateway = Gateway.start(config);
    http = new GatewayClient(vertx, gateway, GatewayClient.certificateOf(config));
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(20_000).hash(PASSWORD), true);
  }

  @AfterAll
  static void stop() {
    if (relay != null) {
      relay.freeze(false);
    }
    if (http != null) {
      http.close();
    }
    if (gateway != null) {
      gateway.stop();
    }
    Await.await(relayVertx.close());
    Await.await(vertx.close());
  }

  @Test
  void aLoginWhileTheDatabaseStopsAnsweringGets503WithRetryAfterInsteadOfHanging() {
    assertThat(login().status()).isEqualTo(200);
    relay.freeze(true);
    try {
      Reply r = http.await(() -> http.sendAsync(HttpMethod.POST, "/auth/token",
              GatewayClient.headers("Content-Type", "application/json"),
              new JsonObject().put("username", USER).put("password", PASSWORD).encode())
          .timeout(CLIENT_PATIENCE_SECONDS, TimeUnit.SECONDS));
      assertThat(r.status()).as(r.body()).isEqualTo(503);
      assertThat(r.header("Retry-After")).isNotBlank();
      assertThat(r.json().getString("error")).isEqualTo("temporarily_unavailable");
    } finally {
      relay.freeze(false);
    }
  }

  private static Reply login() {
    return http.postJson("/auth/token", new JsonObject().put("username", USER).put("password", PASSWORD));
  }
}
