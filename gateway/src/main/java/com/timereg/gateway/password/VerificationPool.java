package com.timereg.gateway.password;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A dedicated, bounded pool for CPU-heavy password work (PBKDF2, strength estimates).
 *
 * <p>Not Vert.x's worker pool: that one is shared with every other blocking call and queues
 * without bound, so a login wave would turn into unbounded latency for everyone. Here a full
 * queue refuses at once with {@link PoolSaturatedException}, which the HTTP layer turns into 503
 * and Retry-After. Results are delivered on the Vert.x context that submitted the task, so
 * callers never touch their state from a pool thread.
 */
public final class VerificationPool {
  private final Vertx vertx;
  private final ThreadPoolExecutor executor;
  private final int queueCapacity;
  private final int retryAfterSeconds;
  private final AtomicInteger active = new AtomicInteger();

  public VerificationPool(Vertx vertx, int threads, int queueCapacity, int retryAfterSeconds) {
    if (threads < 1 || queueCapacity < 1 || retryAfterSeconds < 1) {
      throw new IllegalArgumentException("threads, queue capacity and retry-after must be >= 1");
    }
    this.vertx = vertx;
    this.queueCapacity = queueCapacity;
    this.retryAfterSeconds = retryAfterSeconds;
    this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(queueCapacity), namedDaemonThreads(),
        new ThreadPoolExecutor.AbortPolicy());
    executor.prestartAllCoreThreads();
  }

  public static VerificationPool create(Vertx vertx, PasswordSettings settings) {
    return new VerificationPool(vertx, settings.poolThreads(), settings.poolQueueCapacity(),
        settings.retryAfterSeconds());
  }

  /**
   * Runs {@code task} on the pool. The future completes on the caller's context (the current
   * one, or a new one when called from outside Vert.x). It fails at once with
   * {@link PoolSaturatedException} when the queue is full or the pool is closing, and with the
   * task's own exception if it throws.
   */
  public <T> Future<T> submit(Callable<T> task) {
    Context context = vertx.getOrCreateContext();
    Promise<T> promise = Promise.promise();
    try {
      executor.execute(new Task<>(task, context, promise));
    } catch (RejectedExecutionException full) {
      String why = executor.isShutdown() ? "verification pool closed" : "verification pool full";
      return Future.failedFuture(new PoolSaturatedException(why, retryAfterSeconds));
    }
    return promise.future();
  }

  /** A submitted task with the promise its caller waits on, so a task dropped at close can still be answered. */
  private final class Task<T> implements Runnable {
    private final Callable<T> task;
    private final Context context;
    private final Promise<T> promise;

    Task(Callable<T> task, Context context, Promise<T> promise) {
      this.task = task;
      this.context = context;
      this.promise = promise;
    }

    @Override
    public void run() {
      active.incrementAndGet();
      try {
        T result = task.call();
        context.runOnContext(v -> promise.complete(result));
      } catch (Throwable failure) {
        context.runOnContext(v -> promise.fail(failure));
      } finally {
        active.decrementAndGet();
      }
    }

    /** Never started: the pool closed first. Answered as a submit after close is. */
    void abandon() {
      PoolSaturatedException closed = new PoolSaturatedException("verification pool closed", retryAfterSeconds);
      context.runOnContext(v -> promise.fail(closed));
    }
  }

  /** Tasks waiting for a thread. */
  public int queueDepth() {
    return executor.getQueue().size();
  }

  /** Tasks running now. */
  public int activeCount() {
    return active.get();
  }

  public int threads() {
    return executor.getCorePoolSize();
  }

  public int queueCapacity() {
    return queueCapacity;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /**
   * Stops taking tasks, lets those already accepted finish (their callers still get answers),
   * and completes when the threads are gone or after {@code graceMillis}, when the running ones are
   * interrupted and those still queued are dropped, their callers answered with
   * {@link PoolSaturatedException} as for a task submitted after close (a dropped task's caller
   * would otherwise wait forever). The wait happens on a Vert.x worker thread, so this may be
   * called from a verticle's stop.
   */
  public Future<Void> close(long graceMillis) {
    executor.shutdown();
    return vertx.executeBlocking(() -> {
      if (!executor.awaitTermination(graceMillis, TimeUnit.MILLISECONDS)) {
        for (Runnable dropped : executor.shutdownNow()) {
          ((Task<?>) dropped).abandon();
        }
      }
      return null;
    });
  }

  private static ThreadFactory namedDaemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "password-pool-" + count.incrementAndGet());
      // Daemon so a pool someone forgot to close cannot keep the JVM alive on shutdown.
      t.setDaemon(true);
      return t;
    };
  }
}
