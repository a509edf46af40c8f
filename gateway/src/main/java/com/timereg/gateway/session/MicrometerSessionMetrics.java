package com.timereg.gateway.session;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/** {@link SessionMetrics} as Micrometer meters under {@code gateway.session.*}. */
public final class MicrometerSessionMetrics implements SessionMetrics {
  private final MeterRegistry registry;
  private final Map<AuthMethod, Counter> issued = new EnumMap<>(AuthMethod.class);
  private final Map<RefreshFailure, Counter> refusedRefreshes = new EnumMap<>(RefreshFailure.class);
  private final Map<TokenRejection, Counter> rejections = new EnumMap<>(TokenRejection.class);
  private final Map<RevocationReason, Counter> revocations = new EnumMap<>(RevocationReason.class);
  private final Counter refreshed;
  private final Counter refreshErrors;
  private final Counter reuse;
  private final AtomicInteger feedConnected = new AtomicInteger();

  public MicrometerSessionMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (AuthMethod m : AuthMethod.values()) {
      issued.put(m, Counter.builder("gateway.session.issued").tag("method", m.value)
          .description("Sessions started (access and refresh token issued at login)").register(registry));
    }
    refreshed = refreshCounter("ok");
    refreshErrors = refreshCounter("error");
    for (RefreshFailure f : RefreshFailure.values()) {
      refusedRefreshes.put(f, refreshCounter(f.metricTag));
    }
    reuse = Counter.builder("gateway.session.reuse.detected")
        .description("Exchanged refresh tokens presented again; each revoked its family").register(registry);
    for (TokenRejection r : TokenRejection.values()) {
      rejections.put(r, Counter.builder("gateway.session.verification.failures").tag("reason", r.metricTag)
          .description("Access tokens refused").register(registry));
    }
    for (RevocationReason r : RevocationReason.values()) {
      revocations.put(r, Counter.builder("gateway.session.revocations").tag("reason", r.value)
          .description("Sessions revoked by this node").register(registry));
    }
    Gauge.builder("gateway.session.revocation.feed.connected", feedConnected, AtomicInteger::get)
        .description("1 while this node listens for revocations of other nodes").register(registry);
  }

  private Counter refreshCounter(String outcome) {
    return Counter.builder("gateway.session.refreshes").tag("outcome", outcome)
        .description("Refresh token exchanges by outcome").register(registry);
  }

  @Override
  public void sessionIssued(AuthMethod method) {
    issued.get(method).increment();
  }

  @Override
  public void refreshed(RefreshFailure failure) {
    (failure == null ? refreshed : refusedRefreshes.get(failure)).increment();
  }

  @Override
  public void refreshError() {
    refreshErrors.increment();
  }

  @Override
  public void reuseDetected() {
    reuse.increment();
  }

  @Override
  public void revoked(RevocationReason reason, int count) {
    revocations.get(reason).increment(count);
  }

  @Override
  public void verificationFailed(TokenRejection reason) {
    rejections.get(reason).increment();
  }

  @Override
  public void revocationFeed(boolean connected) {
    feedConnected.set(connected ? 1 : 0);
  }

  @Override
  public void bindRevocationListSize(IntSupplier size) {
    // Held strongly: the caller's method reference is referenced by nothing else, and Micrometer holds a
    // gauge's object weakly by default, so the gauge would read NaN after the next garbage collection.
    Gauge.builder("gateway.session.revocation.list.size", size, s -> s.getAsInt())
        .description("Session ids in this node's in-memory revocation list").strongReference(true).register(registry);
  }
}
