package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.timereg.gateway.demo.DemoBackend;
import com.timereg.gateway.store.DevDatabase;
import com.timereg.gateway.store.LocalPostgres;
import com.timereg.gateway.store.PostgresExtension;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Stopping dev mode stops its local PostgreSQL whatever the gateway's stop throws: an Error (a class that cannot
 * be loaded any more once the jar was replaced, an OutOfMemoryError) must not leave the server running.
 */
class DevModeCloseTest {
  private final Path dir = Path.of("target", "pg-test-devclose-" + UUID.randomUUID().toString().substring(0, 8))
      .toAbsolutePath();
  private DevDatabase db;

  @AfterEach
  void stopAndDelete() throws Exception {
    if (db != null) {
      db.close();
    }
    PostgresExtension.deleteTree(dir);
  }

  @Test
  void anErrorWhileTheGatewayStopsStillStopsTheLocalPostgres() throws Exception {
    db = DevDatabase.open(Map.of(), dir.resolve("postgres"));
    LocalPostgres local = db.local().orElseThrow();
    Vertx backendVertx = Vertx.vertx();
    DemoBackend backend = new DemoBackend(backendVertx, DemoBackend.Options.DEFAULTS);
    Gateway.await(backend.start("127.0.0.1", 0));
    DevMode dev = new DevMode(db, backendVertx, backend, null, () -> {
      throw new NoClassDefFoundError("com/timereg/gateway/SomethingLoadedOnlyAtStop");
    });

    assertThatThrownBy(dev::close).isInstanceOf(NoClassDefFoundError.class);

    assertThat(local.isRunning()).isFalse();
  }
}
