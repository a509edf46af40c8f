package com.timereg.gateway.blocks;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** PostgreSQL stops and comes back: local decisions go on, edits fail with 503, everything catches up. */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class BlockSyncOutageTest {
  /** Reconnect backoff is capped at 5 s; a restart of the server takes a few seconds more. */
  static final Duration RECOVERY = Duration.ofSeconds(30);

  private final List<TestNode> nodes = new ArrayList<>();

  @AfterEach
  void closeNodes(TestDatabase db, VertxTestContext ctx) throws Exception {
    db.startServer();
    Future.join(nodes.stream().map(TestNode::close).toList()).onComplete(ar -> ctx.completeNow());
  }

  @Test
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  void whilePostgresIsDownLocalBlocksHoldAndEditsFailWith503ThenEverythingCatchesUp(
      Vertx vertx, TestDatabase db, VertxTestContext ctx) {
    Assumptions.assumeTrue(db.canRestartServer(), "the server comes from the environment");
    TestNode a = new TestNode(vertx, db, "node-a", Clock.systemUTC());
    nodes.add(a);
    a.start()
        .compose(v -> vertx.executeBlocking(() -> {
          db.stopServer();
          return null;
        }))
        .compose(v -> {
          ctx.verify(() -> assertThat(a.fail("192.0.2.70", 10).blockIssued()).as("decided locally").isTrue());
          ctx.verify(() -> assertThat(a.blocks("192.0.2.70")).isTrue());
          return a.sync.block("203.0.113.0/24", Duration.ofHours(1), "scanner", "alice")
              .transform(ar -> Future.succeededFuture(ar.cause()));
        })
        .compose(failure -> {
          ctx.verify(() -> assertThat(failure).isInstanceOfSatisfying(BlockRequestException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(503);
            assertThat(e.getMessage()).doesNotContain("Connection", "127.0.0.1");
          }));
          ctx.verify(() -> assertThat(a.blocks("203.0.113.9")).as("a failed edit changes nothing").isFalse());
          return Eventually.within(vertx, RECOVERY, "the automatic block's write fails and the listener is lost",
              () -> a.metrics.count("failed block-issued-automatic store-error") == 1 && !a.sync.synced());
        })
        .compose(v -> vertx.executeBlocking(() -> {
          db.startServer();
          return null;
        }))
        .compose(v -> Eventually.within(vertx, RECOVERY, "node A is back in sync", a.sync::synced))
        .compose(v -> Eventually.within(vertx, RECOVERY, "the automatic block is written after all",
            () -> a.metrics.count("written block-issued-automatic") == 1))
        .compose(v -> {
          TestNode late = new TestNode(vertx, db, "node-late", Clock.systemUTC());
          nodes.add(late);
          return late.start();
        })
        .compose(late -> {
          ctx.verify(() -> assertThat(late.blocks("192.0.2.70")).as("the outage's block reached the others").isTrue());
          return a.sync.block("203.0.113.0/24", Duration.ofHours(1), "scanner", "alice");
        })
        .onComplete(ctx.succeeding(record -> ctx.verify(() -> {
          assertThat(a.blocks("203.0.113.9")).isTrue();
          ctx.completeNow();
        })));
  }
}
