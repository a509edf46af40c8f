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
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
  static final AtomicBoolean frozen = new AtomicBoolean();
  static Gateway gateway;
  static GatewayClient http;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    relayVertx = Vertx.vertx();
    ConnectionSettings real = db.settings();
    int relayPort = relay(real.host(), real.port());
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
    frozen.set(false);
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
    frozen.set(true);
    try {
      Reply r = http.await(() -> http.sendAsync(HttpMethod.POST, "/auth/token",
              GatewayClient.headers("Content-Type", "application/json"),
              new JsonObject().put("username", USER).put("password", PASSWORD).encode())
          .timeout(CLIENT_PATIENCE_SECONDS, TimeUnit.SECONDS));
      assertThat(r.status()).as(r.body()).isEqualTo(503);
      assertThat(r.header("Retry-After")).isNotBlank();
      assertThat(r.json().getString("error")).isEqualTo("temporarily_unavailable");
    } finally {
      frozen.set(false);
    }
  }

  private static Reply login() {
    return http.postJson("/auth/token", new JsonObject().put("username", USER).put("password", PASSWORD));
  }

  /** A TCP relay to the real server that drops every byte, both ways, while {@link #frozen}. */
  private static int relay(String host, int port) {
    NetClient client = relayVertx.createNetClient();
    NetServer server = relayVertx.createNetServer().connectHandler(downstream -> {
      downstream.pause();
      client.connect(port, host).onComplete(ar -> {
        if (ar.failed()) {
          downstream.close();
          return;
        }
        NetSocket upstream = ar.result();
        downstream.handler(b -> {
          if (!frozen.get()) {
            upstream.write(b);
          }
        });
        upstream.handler(b -> {
          if (!frozen.get()) {
            downstream.write(b);
          }
        });
        downstream.closeHandler(v -> upstream.close());
        upstream.closeHandler(v -> downstream.close());
        downstream.resume();
      });
    });
    return Await.await(server.listen(0, "127.0.0.1")).actualPort();
  }
}
