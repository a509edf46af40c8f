package com.timereg.gateway.blocks;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition on Vert.x timers until it holds or a bound passes; never sleeps a thread. */
final class Eventually {
  private static final long POLL_MILLIS = 10;

  private Eventually() {}

  static Future<Void> within(Vertx vertx, Duration bound, String what, BooleanSupplier condition) {
    return within(vertx, bound, what, () -> Future.succeededFuture(condition.getAsBoolean()));
  }

  /** As above, for a condition that needs a query to tell. */
  static Future<Void> within(Vertx vertx, Duration bound, String what, Supplier<Future<Boolean>> condition) {
    Promise<Void> done = Promise.promise();
    long deadline = System.nanoTime() + bound.toNanos();
    poll(vertx, deadline, bound, what, condition, done);
    return done.future();
  }

  private static void poll(Vertx vertx, long deadline, Duration bound, String what,
      Supplier<Future<Boolean>> condition, Promise<Void> done) {
    condition.get().onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        done.complete();
      } else if (System.nanoTime() - deadline > 0) {
        done.fail(new AssertionError(what + ": not within " + bound.toMillis() + " ms"
            + (ar.failed() ? " (last check failed: " + ar.cause() + ")" : "")));
      } else {
        vertx.setTimer(POLL_MILLIS, t -> poll(vertx, deadline, bound, what, condition, done));
      }
    });
  }
}
