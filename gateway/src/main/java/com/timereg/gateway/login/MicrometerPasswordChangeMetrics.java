package com.timereg.gateway.login;

import com.timereg.gateway.password.PolicyCheck;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code gateway.password.refusals{reason}} (counter), {@code gateway.password.estimate} (timer of
 * the policy check, which the strength estimate dominates) and {@code gateway.password.changes}.
 * The breach lookups are counted by the breach set itself ({@code gateway.password.breach.lookups}). Every
 * refusal reason is registered at start: a series that first appears with its first refusal has no earlier
 * sample, so {@code rate()} and {@code increase()} would never count that refusal.
 */
public final class MicrometerPasswordChangeMetrics implements PasswordChangeMetrics {
  /** The reasons PasswordChangeService refuses with besides the policy's own ({@link PolicyCheck.Kind}). */
  static final String[] SERVICE_REASONS = {"wrong_current_password", "breach_check_unavailable", "blocked",
      "password_not_used", "malformed"};

  private final MeterRegistry registry;
  private final Timer estimate;
  private final Counter changes;

  public MicrometerPasswordChangeMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.estimate = Timer.builder("gateway.password.estimate")
        .description("Policy checks of new passwords (strength estimate and breach lookup), time on the pool thread")
        .register(registry);
    this.changes = Counter.builder("gateway.password.changes").description("Passwords changed").register(registry);
    for (PolicyCheck.Kind kind : PolicyCheck.Kind.values()) {
      refusals(kind.name().toLowerCase(Locale.ROOT));
    }
    for (String reason : SERVICE_REASONS) {
      refusals(reason);
    }
  }

  @Override
  public void refusal(String reason) {
    refusals(reason).increment();
  }

  private Counter refusals(String reason) {
    return Counter.builder("gateway.password.refusals").description("Password changes refused, by reason")
        .tag("reason", reason).register(registry);
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
