package com.timereg.gateway.proxy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import com.timereg.gateway.accesslog.LoggedPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every exchange needs from its {@link ProxyHandler}: the backend clients, settings, metrics and a
 * log that stays readable when the backend is down and thousands of requests fail per second.
 */
final class ExchangeSupport {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyHandler.class);
  /** One WARN line per failure kind per interval; the rest go to DEBUG and the counters say how many. */
  private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  final Vertx vertx;
  final BackendClient backend;
  final ProxySettings settings;
  final ProxyMetrics metrics;
  /** Largest request body forwarded; beyond it the exchange fails with 413. */
  final long maxBodyBytes;
  final ResponseDeadlines deadlines;
  /** This instance's WebSocket tunnels, ended when their session is revoked. */
  final OpenTunnels tunnels;
  /** The node's count of tunnels per session, shared by the instances of all event loops. */
  final TunnelQuota quota;
  private final AtomicLongArray lastWarned = new AtomicLongArray(ProxyFailure.values().length);

  ExchangeSupport(Vertx vertx, BackendClient backend, ProxySettings settings, ProxyMetrics metrics, long maxBodyBytes,
      OpenTunnels tunnels, TunnelQuota quota) {
    this.tunnels = tunnels;
    this.quota = quota;
    this.vertx = vertx;
    this.backend = backend;
    this.settings = settings;
    this.metrics = metrics;
    this.maxBodyBytes = maxBodyBytes;
    this.deadlines = new ResponseDeadlines(
        (delay, task) -> vertx.setTimer(delay, id -> task.run()), settings.responseTimeout().toMillis());
  }

  /**
   * Logs the method and only the first path segment: query strings, headers and deeper path segments
   * (Django's password-reset links, for one) may carry tokens.
   */
  void log(ProxyFailure failure, HttpServerRequest request, Throwable cause) {
    log(failure, request.method().name(), request.path(), cause);
  }

  void log(ProxyFailure failure, String method, String fullPath, Throwable cause) {
    String reason = reason(cause);
    String path = LoggedPath.firstSegment(fullPath);
    if (failure == ProxyFailure.CLIENT_CLOSED) {
      LOG.debug("client closed before the response was complete: {} {}", method, path);
    } else if (failure == ProxyFailure.SESSION_ENDED) {
      // A logout or a revocation, not a fault: the counter says how often.
      LOG.debug("answer cut, its session ended: {} {}", method, path);
    } else if (shouldWarn(failure)) {
      LOG.warn("proxy {} ({} {} -> {}:{}){}", failure.metricName(), method, path,
          settings.backendHost(), settings.backendPort(), reason);
    } else {
      LOG.debug("proxy {} ({} {}){}", failure.metricName(), method, path, reason);
    }
  }

  /** The exception and, when different, its root cause: "Failed to create SSL connection" alone says little. */
  private static String reason(Throwable cause) {
    if (cause == null) {
      return "";
    }
    // Leading separator so a failure without an exception logs no dangling colon.
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String outer = ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage();
    return root == cause ? outer : outer + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
  }

  void logQuietly(HttpServerRequest request, Throwable failure) {
    LOG.debug("backend request for {} {} reported {}", request.method(), LoggedPath.firstSegment(request.path()),
        failure.toString());
  }

  private boolean shouldWarn(ProxyFailure failure) {
    long now = System.nanoTime();
    int slot = failure.ordinal();
    long last = lastWarned.get(slot);
    return (last == 0 || now - last >= WARN_INTERVAL_NANOS) && lastWarned.compareAndSet(slot, last, now);
  }
}
