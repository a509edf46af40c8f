package com.timereg.gateway.admin;

import com.timereg.gateway.throttle.FailureKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code gateway.login.attempts{outcome=succeeded|failed, kind}}: {@code kind} is the failure kind
 * or the sign-in method. The failure kinds and the password method are registered up front, so
 * dashboards show zeros rather than gaps before the first login.
 */
public final class MicrometerLoginEventMetrics implements LoginEventMetrics {
  static final String ATTEMPTS = "gateway.login.attempts";

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  public MicrometerLoginEventMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (FailureKind k : FailureKind.values()) {
      attemptCounter(false, k.metricTag());
    }
    attemptCounter(true, "password");
  }

  @Override
  public void attempt(boolean succeeded, String detail) {
    attemptCounter(succeeded, detail).increment();
  }

  private Counter attemptCounter(boolean succeeded, String detail) {
    String outcome = succeeded ? "succeeded" : "failed";
    // Methods and kinds are a handful of fixed words; anything else is folded so the tag set stays bounded.
    String kind = detail != null && detail.matches("[a-z_]{1,32}") ? detail : "other";
    return counters.computeIfAbsent(outcome + '/' + kind, key -> Counter.builder(ATTEMPTS)
        .description("Login attempts by outcome and kind (failure kind, or sign-in method)")
        .tag("outcome", outcome).tag("kind", kind)
        .register(registry));
  }
}
