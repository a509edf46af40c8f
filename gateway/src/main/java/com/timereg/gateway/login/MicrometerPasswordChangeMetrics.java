package com.timereg.gateway.login;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * {@code gateway.password.refusals{reason}} (counter), {@code gateway.password.estimate} (timer of
 * the policy check, which the strength estimate dominates) and {@code gateway.password.changes}.
 * The breach lookups are counted by the breach set itself ({@code gateway.password.breach.lookups}).
 */
public final class MicrometerPasswordChangeMetrics implements PasswordChangeMetrics {
  private final MeterRegistry registry;
  private final Timer estimate;
  private final Counter changes;

  public MicrometerPasswordChangeMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.estimate = Timer.builder("gateway.password.estimate")
        .description("Policy checks of new passwords (strength estimate and breach lookup), time on the pool thread")
        .register(registry);
    this.changes = Counter.builder("gateway.password.changes").description("Passwords changed").register(registry);
  }

  @Override
  public void refusal(String reason) {
    Counter.builder("gateway.password.refusals").description("Password changes refused, by reason")
        .tag("reason", reason).register(registry).increment();
  }

  @Override
  public void estimate(long nanos) {
    estimate.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void changed() {
    changes.increment();
  }
}
