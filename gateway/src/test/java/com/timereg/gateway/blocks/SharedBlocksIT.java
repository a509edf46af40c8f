package com.timereg.gateway.blocks;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.RunningGateway;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.SourceClient;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Two packaged gateway processes sharing one PostgreSQL, each with its own data directory. */
@ExtendWith(PostgresExtension.class)
class SharedBlocksIT {
  static final Map<String, String> JSON = Map.of("Accept", "application/json");
  static final Duration BOUND = Duration.ofSeconds(1);

  @TempDir Path dir;

  @Test
  void aBlockIssuedByFailedLoginsOnOneNodeIsEnforcedOnTheOtherWithinOneSecond(TestDatabase db) throws Exception {
    Path key = RunningGateway.writeSigningKey(dir.resolve("signing.pem"));
    CompletableFuture<RunningGateway> startA = CompletableFuture.supplyAsync(() -> start(db, key, "node-a"));
    CompletableFuture<RunningGateway> startB = CompletableFuture.supplyAsync(() -> start(db, key, "node-b"));
    Vertx vertx = Vertx.vertx();
    try (RunningGateway a = startA.join(); RunningGateway b = startB.join();
        SourceClient onA = new SourceClient(vertx, "127.0.18.1", a.publicPort());
        SourceClient onB = new SourceClient(vertx, "127.0.18.1", b.publicPort())) {
      assertThat(onB.get("/anything", JSON).status()).isEqualTo(401);
      assertThat(onA.failLogin().status()).isEqualTo(401);
      assertThat(onA.failLogin().status()).isEqualTo(401);

      // From before the failure that issues the block, so the time measured is an upper bound.
      long issuedBefore = System.nanoTime();
      assertThat(onA.failLogin().status()).isEqualTo(401);
      Duration seen = null;
      while (seen == null && System.nanoTime() - issuedBefore < BOUND.multipliedBy(10).toNanos()) {
        if (onB.get("/anything", JSON).status() == 429) {
          seen = Duration.ofNanos(System.nanoTime() - issuedBefore);
        } else {
          Thread.sleep(10);
        }
      }
      assertThat(seen).as("node B enforces node A's block").isNotNull();
      System.out.println("SharedBlocksIT: node B refused the address " + seen.toMillis()
          + " ms after the blocking login was sent to node A");
      assertThat(seen).as("enforced on node B after %d ms", seen.toMillis()).isLessThanOrEqualTo(BOUND);
      assertThat(onA.get("/anything", JSON).status()).isEqualTo(429);
      assertThat(b.linesContaining("Exception")).isEmpty();
    } finally {
      Await.await(vertx.close());
    }
  }

  private RunningGateway start(TestDatabase db, Path key, String nodeId) {
    Map<String, String> env = RunningGateway.environment(dir.resolve(nodeId), db.settings(), key);
    env.put("GATEWAY_THROTTLE__NODE_ID", nodeId);
    env.put("GATEWAY_THROTTLE__IP_FAILURE_LIMIT", "3");
    try {
      return RunningGateway.start(java.nio.file.Files.createDirectories(dir.resolve(nodeId + "-conf")), env);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
