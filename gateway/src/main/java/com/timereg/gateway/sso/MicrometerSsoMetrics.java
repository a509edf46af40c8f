package com.timereg.gateway.sso;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;

/** {@code gateway.sso.logins{outcome}}: every outcome registered at start, so dashboards see zeros rather than gaps. */
public final class MicrometerSsoMetrics implements SsoMetrics {
  private final Map<String, Counter> counters = new HashMap<>();

  public MicrometerSsoMetrics(MeterRegistry registry) {
    register(registry, SUCCESS);
    for (SsoRefusal r : SsoRefusal.values()) {
      register(registry, r.tag());
    }
  }

  private void register(MeterRegistry registry, String outcome) {
    counters.put(outcome, Counter.builder("gateway.sso.logins")
        .description("Microsoft (OpenID Connect) sign-ins by outcome")
        .tag("outcome", outcome).register(registry));
  }

  @Override
  public void login(String outcome) {
    Counter c = counters.get(outcome);
    if (c != null) {
      c.increment();
    }
  }
}
