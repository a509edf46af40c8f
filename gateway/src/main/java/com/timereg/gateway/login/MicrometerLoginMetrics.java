package com.timereg.gateway.login;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code gateway.login.attempts{method,outcome}} and {@code gateway.login.duration{outcome}}, the password
 * logins' latency as a histogram. Every outcome of a password login is registered at start: a series that first
 * appears with its first attempt has no earlier sample, so {@code rate()} and {@code increase()} (the dashboard's
 * panels, alerts) would never count that attempt.
 */
public final class MicrometerLoginMetrics implements LoginMetrics {
  static final String[] PASSWORD_OUTCOMES = {"success", "invalid", "sso_required", "blocked", "busy", "error"};
  static final String DURATION = "gateway.login.duration";
  /**
   * The bucket bounds of {@link #DURATION}: a PBKDF2 verification takes tens to hundreds of milliseconds, a login
   * queued behind others or slowed by the per-name delay (at most 15 s) seconds. Explicit bounds rather than
   * Micrometer's percentile histogram: its 70-odd buckets per outcome would cost more series than a p99 needs, and
   * client-side percentiles (a summary) cannot be aggregated across nodes.
   */
  static final Duration[] DURATION_BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

  private final MeterRegistry registry;
  private final Map<String, Timer> durations = new HashMap<>();

  public MicrometerLoginMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (String outcome : PASSWORD_OUTCOMES) {
      counter("password", outcome);
      durations.put(outcome, Timer.builder(DURATION)
          .description("Password logins from request to answer (per-name delay, queue and verification included), by outcome")
          .tag("outcome", outcome)
          .serviceLevelObjectives(DURATION_BUCKETS)
          .register(registry));
    }
  }

  @Override
  public void passwordLogin(String outcome, long nanos) {
    Timer timer = durations.get(outcome);
    if (timer != null) {
      timer.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void attempt(String method, String outcome) {
    counter(method, outcome).increment();
  }

  private Counter counter(String method, String outcome) {
    return Counter.builder("gateway.login.attempts").description("Login attempts by method and outcome")
        .tag("method", method).tag("outcome", outcome).register(registry);
  }
}
