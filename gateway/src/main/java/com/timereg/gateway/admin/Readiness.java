package com.timereg.gateway.admin;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named readiness checks (PostgreSQL, the HIBP set, ...). Ready only when every check succeeds
 * within its time limit: a check that hangs counts as down, so a stuck dependency takes the node
 * out of the load balancer instead of hanging the probe.
 *
 * <p>Probes share answers: those that come while the checks run get that run's answer, and an answer serves the
 * probes of the next {@link #MAX_AGE}. The PostgreSQL check borrows a connection of the pool that logins use, so
 * otherwise every probe queued a {@code SELECT 1} ahead of them, 500 for a storm of 500 probes
 * ({@code ReadinessProbeStormTest}).
 */
public final class Readiness {
  public static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);
  /** How long one run of the checks answers further probes: far below any load balancer's probe interval. */
  public static final Duration MAX_AGE = Duration.ofSeconds(1);
  private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);

  private final Vertx vertx;
  private final Map<String, Supplier<Future<String>>> checks = new ConcurrentHashMap<>();
  /** Each failing check's last reason, so that the log says it once per change, not at every probe. */
  private final Map<String, String> lastFailure = new ConcurrentHashMap<>();
  private final Clock clock;
  /** The last run of the checks (under way or done) and when it began; null before the first. */
  private final AtomicReference<Run> last = new AtomicReference<>();
  private volatile boolean stopping;

  private record Run(Future<Report> report, Instant began) {}

  public Readiness(Vertx vertx) {
    this(vertx, Clock.systemUTC());
  }

  public Readiness(Vertx vertx, Clock clock) {
    this.vertx = vertx;
    this.clock = clock;
  }

  /**
   * A check completes with a short, safe detail when ready, or fails: with {@link #down} for a reason written
   * for the probe's reader, or with any exception, whose message goes to the log only.
   */
  public void register(String name, Supplier<Future<String>> check) {
    checks.put(name, check);
    last.set(null);
  }

  /** A check's failure whose text is safe to show to whoever reads {@code /health/ready}. */
  public static <T> Future<T> down(String reason) {
    return Future.failedFuture(new NotReady(reason));
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
    while (true) {
      Instant now = clock.instant();
      Run previous = last.get();
      if (previous != null && (!previous.report().isComplete() || now.isBefore(previous.began().plus(MAX_AGE)))) {
        return previous.report();
      }
      Promise<Report> report = Promise.promise();
      if (last.compareAndSet(previous, new Run(report.future(), now))) {
        runChecks().onComplete(report);
        return report.future();
      }
    }
  }

  private Future<Report> runChecks() {
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
        .map(detail -> {
          if (lastFailure.remove(name) != null) {
            LOG.info("readiness check {} is up again", name);
          }
          return new JsonObject().put("name", name).put("status", "UP").put("detail", detail);
        })
        .otherwise(e -> {
          String reason = e instanceof NotReady ? e.getMessage() : e.toString();
          if (!reason.equals(lastFailure.put(name, reason))) {
            LOG.warn("readiness check {} is down: {}", name, reason);
          }
          return new JsonObject().put("name", name).put("status", "DOWN").put("detail", safeDetail(e));
        });
  }

  /**
   * The detail shown for a failed check. Readiness answers without credentials (probes and scrapers), also on
   * an admin listener bound beyond loopback, and an exception's own message names internal hosts and
   * addresses, database users, file paths or SQL: the probe gets the cause's class, the log the message.
   */
  private static String safeDetail(Throwable e) {
    if (e instanceof NotReady) {
      return e.getMessage();
    }
    if (e instanceof java.util.concurrent.TimeoutException) {
      return "no answer within " + CHECK_TIMEOUT.toSeconds() + " s";
    }
    return "unavailable (" + e.getClass().getSimpleName() + "); the reason is in the log";
  }

  private static final class NotReady extends RuntimeException {
    NotReady(String reason) {
      super(reason, null, false, false);
    }
  }

  public record Report(boolean ready, JsonObject body) {}
}
