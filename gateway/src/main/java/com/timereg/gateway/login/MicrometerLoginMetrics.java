package com.timereg.gateway.login;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** {@code gateway.login.attempts{method,outcome}}. */
public final class MicrometerLoginMetrics implements LoginMetrics {
  private final MeterRegistry registry;

  public MicrometerLoginMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void attempt(String method, String outcome) {
    Counter.builder("gateway.login.attempts").description("Login attempts by method and outcome")
        .tag("method", method).tag("outcome", outcome).register(registry).increment();
  }
}
