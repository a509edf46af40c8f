package com.timereg.gateway.password;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class VerificationPoolTest {
  private VerificationPool pool;

  @AfterEach
  void closePool() {
    if (pool != null) {
      pool.close(1_000);
    }
  }

  @Test
  void refusesAtOnceWithRetryAfterWhenThreadAndQueueAreFull(Vertx vertx) throws Exception {
    pool = new VerificationPool(vertx, 1, 1, 7);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<String> blocker = pool.submit(() -> {
      running.countDown();
      release.await();
      return "first";
    });
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    Future<String> queued = pool.submit(() -> "second");

    Future<String> refused = pool.submit(() -> "third");

    assertThat(refused.failed()).as("fails before returning, without waiting").isTrue();
    assertThat(refused.cause()).isInstanceOf(PoolSaturatedException.class)
        .hasMessage("verification pool full");
    assertThat(((PoolSaturatedException) refused.cause()).retryAfterSeconds()).isEqualTo(7);
    assertThat(pool.activeCount()).isEqualTo(1);
    assertThat(pool.queueDepth()).isEqualTo(1);

    release.countDown();
    assertThat(blocker.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS))
        .isEqualTo("first");
    assertThat(queued.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS))
        .isEqualTo("second");
  }

  @Test
  void deliversResultOnTheSubmittingContextAfterRunningOnAPoolThread(Vertx vertx,
      VertxTestContext test) {
    pool = new VerificationPool(vertx, 2, 4, 1);
    Context caller = vertx.getOrCreateContext();
    caller.runOnContext(v -> pool.submit(() -> Thread.currentThread().getName())
        .onComplete(test.succeeding(threadName -> test.verify(() -> {
          assertThat(threadName).startsWith("password-pool-");
          assertThat(Vertx.currentContext()).isSameAs(caller);
          test.completeNow();
        }))));
  }

  @Test
  void deliversTaskFailureOnTheSubmittingContext(Vertx vertx, VertxTestContext test) {
    pool = new VerificationPool(vertx, 1, 1, 1);
    Context caller = vertx.getOrCreateContext();
    caller.runOnContext(v -> pool.<String>submit(() -> {
      throw new IllegalStateException("boom");
    }).onComplete(test.failing(failure -> test.verify(() -> {
      assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("boom");
      assertThat(Vertx.currentContext()).isSameAs(caller);
      test.completeNow();
    }))));
  }

  @Test
  void closeFinishesAcceptedTasksAndRefusesNewOnes(Vertx vertx) throws Exception {
    pool = new VerificationPool(vertx, 1, 2, 3);
    CountDownLatch release = new CountDownLatch(1);
    Future<String> accepted = pool.submit(() -> {
      release.await();
      return "done";
    });

    Future<Void> closed = pool.close(10_000);
    Future<String> late = pool.submit(() -> "too late");
    release.countDown();

    assertThat(late.failed()).isTrue();
    assertThat(late.cause()).isInstanceOf(PoolSaturatedException.class)
        .hasMessage("verification pool closed");
    assertThat(accepted.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS))
        .isEqualTo("done");
    closed.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    pool = null;
  }

  /**
   * A PBKDF2 runs to its end whatever the interrupt, so the grace can run out with tasks still queued: the
   * pool drops those, and their callers (logins waiting on them) must be answered, not left hanging.
   */
  @Test
  void closeAnswersTheQueuedTasksItDropsWhenTheGraceRunsOut(Vertx vertx) throws Exception {
    pool = new VerificationPool(vertx, 1, 2, 3);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<String> busy = pool.submit(() -> {
      running.countDown();
      while (true) {
        try {
          release.await();
          return "busy";
        } catch (InterruptedException ignoredAsPbkdf2Does) {
          // keep going, as a derivation in progress does
        }
      }
    });
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    Future<String> queued = pool.submit(() -> "never started");

    pool.close(50).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      assertThat(queued.toCompletionStage().toCompletableFuture()
          .handle((value, failure) -> failure).get(10, TimeUnit.SECONDS))
          .as("the caller of a task dropped at close gets an answer")
          .isInstanceOf(PoolSaturatedException.class)
          .hasMessage("verification pool closed");
      assertThat(pool.queueDepth()).isZero();
    } finally {
      release.countDown();
    }
    assertThat(busy.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("busy");
    pool = null;
  }

  @Test
  void sizesFromSettings(Vertx vertx) {
    pool = VerificationPool.create(vertx, PasswordSettings.DEFAULTS.withPool(3, 5));

    assertThat(pool.threads()).isEqualTo(3);
    assertThat(pool.queueCapacity()).isEqualTo(5);
    assertThat(pool.retryAfterSeconds()).isEqualTo(PasswordSettings.DEFAULT_RETRY_AFTER_SECONDS);
  }

  @Test
  void defaultsToOneThreadPerCoreAndFourQueuedPerThread() {
    int cores = Runtime.getRuntime().availableProcessors();

    assertThat(PasswordSettings.DEFAULTS.poolThreads()).isEqualTo(cores);
    assertThat(PasswordSettings.DEFAULTS.poolQueueCapacity()).isEqualTo(4 * cores);
    assertThat(PasswordSettings.DEFAULTS.iterations()).isEqualTo(600_000);
  }
}
