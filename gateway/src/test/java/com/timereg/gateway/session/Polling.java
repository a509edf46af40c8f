package com.timereg.gateway.session;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/** Waits for a condition with Vert.x timers: bounded, never a sleep. */
final class Polling {
  static final long INTERVAL_MILLIS = 50;
  static final long BOUND_MILLIS = 5_000;

  private Polling() {}

  /** Succeeds once {@code condition} yields true, fails after {@value #BOUND_MILLIS} ms. */
  static Future<Void> until(Vertx vertx, Supplier<Future<Boolean>> condition) {
    return attempt(vertx, condition, System.nanoTime() + BOUND_MILLIS * 1_000_000);
  }

  private static Future<Void> attempt(Vertx vertx, Supplier<Future<Boolean>> condition, long deadline) {
    return condition.get().recover(e -> Future.succeededFuture(false)).compose(done -> {
      if (done) {
        return Future.succeededFuture();
      }
      if (System.nanoTime() > deadline) {
        return Future.failedFuture(new AssertionError("condition not met within " + BOUND_MILLIS + " ms"));
      }
      return vertx.timer(INTERVAL_MILLIS).compose(t -> attempt(vertx, condition, deadline));
    });
  }
}
