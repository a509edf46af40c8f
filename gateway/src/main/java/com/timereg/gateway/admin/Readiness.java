package com.timereg.gateway.admin;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Named readiness checks (PostgreSQL, the HIBP set, ...). Ready only when every check succeeds
 * within its time limit: a check that hangs counts as down, so a stuck dependency takes the node
 * out of the load balancer instead of hanging the probe.
 */
public final class Readiness {
  public static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

  private final Vertx vertx;
  private final Map<String, Supplier<Future<String>>> checks = new ConcurrentHashMap<>();
  private volatile boolean stopping;

  public Readiness(Vertx vertx) {
    this.vertx = vertx;
  }

  /** A check completes with a short, safe detail when ready, or fails with the reason. */
  public void register(String name, Supplier<Future<String>> check) {
    checks.put(name, check);
  }

  /**
   * The node is stopping: from now on it reports {@code STOPPING} and 503 whatever the checks say, so that
   * load balancers send it nothing new while it finishes what it has.
   */
  public void stopping() {
    stopping = true;
  }

  public Future<Report> evaluate() {
    if (stopping) {
      return Future.succeededFuture(new Report(false, new JsonObject().put("status", "STOPPING")));
    }
    List<String> names = checks.keySet().stream().sorted().toList();
    List<Future<JsonObject>> results = names.stream().map(n -> run(n, checks.get(n))).toList();
    return Future.join(results).transform(ignored -> {
      JsonArray out = new JsonArray();
      boolean up = true;
      for (Future<JsonObject> f : results) {
        out.add(f.result());
        up &= "UP".equals(f.result().getString("status"));
      }
      return Future.succeededFuture(new Report(up, new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", out)));
    });
  }

  private Future<JsonObject> run(String name, Supplier<Future<String>> check) {
    Future<String> f;
    try {
      f = check.get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.timeout(CHECK_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .map(detail -> new JsonObject().put("name", name).put("status", "UP").put("detail", detail))
        .otherwise(e -> new JsonObject().put("name", name).put("status", "DOWN")
            .put("detail", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
  }

  public record Report(boolean ready, JsonObject body) {}
}
