package com.timereg.gateway.breach;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.tls.KeyFileMode;
import com.timereg.hibp.Sha1;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's stop closing the set while the watcher is opening a new version (a reload in flight, or the
 * first look of {@link BreachSet#start}): the close must win. A set opened after it must be closed at once, not
 * published (it would never be closed: a mapping and a file handle leaked, lookups answered after the stop).
 *
 * <p>The race is ordered by holding the watcher's one thread: the executor is shared by name, so a task put on
 * "hibp-set" here runs on the same thread and the watcher's look waits behind it until the test lets it go.
 */
class BreachSetCloseRaceTest {
  private static final Instant BUILT = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;
  Vertx vertx;
  WorkerExecutor watcherThread;
  final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    release.countDown();
    if (watcherThread != null) {
      Await.await(watcherThread.close());
    }
    Await.await(vertx.close());
  }

  private BreachSet watching(Path file) {
    return new BreachSet(vertx,
        new BreachSetSettings(Optional.of(file), Duration.ofHours(1), false, Duration.ZERO, true, true),
        BreachSetMetrics.NONE, KeyFileMode::breachSetRefusal);
  }

  /** Occupies the watcher's thread until {@link #release}; completes once the task is running. */
  private void holdTheWatcher() {
    watcherThread = vertx.createSharedWorkerExecutor("hibp-set", 1, 30, TimeUnit.MINUTES);
    Promise<Void> running = Promise.promise();
    watcherThread.executeBlocking(() -> {
      running.complete();
      return release.await(20, TimeUnit.SECONDS);
    }, true);
    Await.await(running.future());
  }

  @Test
  void aReloadThatFinishesAfterTheCloseDoesNotPublishItsSet() throws IOException {
    Path file = dir.resolve("current.set");
    BreachSet set = watching(file);
    Await.await(set.start()); // no file yet: no set
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 10, 1, BUILT);

    holdTheWatcher();
    Future<Void> reload = set.refresh(); // waits behind the held thread
    Future<Void> closed = set.close();
    release.countDown();
    Await.await(reload.transform(ar -> Future.succeededFuture()));
    Await.await(closed);

    assertThat(set.available()).as("a set published after the close").isFalse();
    assertThat(set.prevalence(Sha1.ofPassword("hunter2"))).isZero();
  }

  @Test
  void aCloseDuringTheFirstLookOfStartLeavesNoSet() throws IOException {
    Path file = dir.resolve("current.set");
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 10, 1, BUILT);
    BreachSet set = watching(file);

    holdTheWatcher();
    Future<Void> started = set.start();
    Future<Void> closed = set.close();
    release.countDown();
    Await.await(started.transform(ar -> Future.succeededFuture()));
    Await.await(closed);

    assertThat(set.available()).as("a set published after the close").isFalse();
    assertThat(set.describe()).startsWith("no breach set");
  }

  /**
   * The first look of start finishing after a close must not start the periodic watcher: Vert.x would run it on
   * (every reloadInterval, a closed worker) until it stops. Vert.x has no list of timers, so the test asks it to
   * cancel the one BreachSet last set: false when none is live.
   */
  @Test
  void aCloseDuringTheFirstLookOfStartLeavesNoWatcherTimer() throws Exception {
    Path file = dir.resolve("current.set");
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 10, 1, BUILT);
    BreachSet set = watching(file);

    holdTheWatcher();
    Future<Void> started = set.start();
    Future<Void> closed = set.close();
    release.countDown();
    Await.await(started.transform(ar -> Future.succeededFuture()));
    Await.await(closed);

    java.lang.reflect.Field timer = BreachSet.class.getDeclaredField("timer");
    timer.setAccessible(true);
    long id = (long) timer.get(set);
    assertThat(id >= 0 && vertx.cancelTimer(id)).as("a watcher timer live after the close").isFalse();
  }

  @Test
  void aCloseAfterStartCancelsTheWatcherTimer() throws Exception {
    Path file = dir.resolve("current.set");
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 10, 1, BUILT);
    BreachSet set = watching(file);
    Await.await(set.start());
    java.lang.reflect.Field timer = BreachSet.class.getDeclaredField("timer");
    timer.setAccessible(true);
    long id = (long) timer.get(set);
    assertThat(id).as("the watcher's timer").isNotNegative();

    Await.await(set.close());
    assertThat(vertx.cancelTimer(id)).as("the watcher timer still live after the close").isFalse();
  }
}
