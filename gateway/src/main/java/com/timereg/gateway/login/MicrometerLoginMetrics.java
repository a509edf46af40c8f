package com.timereg.gateway.login;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code gateway.login.attempts{method,outcome}}. Every outcome of a password login is registered at start:
 * a series that first appears with its first attempt has no earlier sample, so {@code rate()} and
 * {@code increase()} (the dashboard's panels, alerts) would never count that attempt.
 */
public final class MicrometerLoginMetrics implements LoginMetrics {
  static final String[] PASSWORD_OUTCOMES = {"success", "invalid", "sso_required", "blocked", "busy", "error"};

  private final MeterRegistry registry;

  public MicrometerLoginMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (String outcome : PASSWORD_OUTCOMES) {
      counter("password", outcome);
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
