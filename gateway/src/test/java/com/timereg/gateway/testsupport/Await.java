package com.timereg.gateway.testsupport;

import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocks a test thread (never an event loop) on a Vert.x future. */
public final class Await {

  private static final long SECONDS = 20;

  private Await() {}

  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      // A hang is only diagnosable from what the event loops were doing at the time.
      throw new AssertionError("future did not complete within " + SECONDS + " s; Vert.x threads:\n" + vertxThreads(), e);
    } catch (Exception e) {
      throw new AssertionError("future failed: " + e, e);
    }
  }

  private static String vertxThreads() {
    StringBuilder dump = new StringBuilder();
    for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
      if (!entry.getKey().getName().startsWith("vert.x-")) {
        continue;
      }
      dump.append(entry.getKey().getName()).append(" ").append(entry.getKey().getState()).append('\n');
      StackTraceElement[] frames = entry.getValue();
      for (int i = 0; i < Math.min(12, frames.length); i++) {
        dump.append("    at ").append(frames[i]).append('\n');
      }
    }
    return dump.toString();
  }
}
