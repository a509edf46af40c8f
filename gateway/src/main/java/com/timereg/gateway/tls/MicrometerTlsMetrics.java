package com.timereg.gateway.tls;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link TlsMetrics} on Micrometer: {@code gateway_tls_certificate_expiry_seconds{listener}}, the not-after of the
 * certificate a listener serves as Unix seconds (the convention of the Prometheus exporters'
 * {@code probe_ssl_earliest_cert_expiry}, so the same alert, {@code ... - time() < 14 * 86400}, fits both). A
 * listener's gauge appears with its first certificate: the admin listener's only with {@code admin.tls}.
 */
public final class MicrometerTlsMetrics implements TlsMetrics {
  private final MeterRegistry registry;
  private final Map<String, AtomicLong> expiry = new ConcurrentHashMap<>();

  public MicrometerTlsMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void certificateInUse(String listener, Instant notAfter) {
    expiry.computeIfAbsent(listener, l -> {
      AtomicLong seconds = new AtomicLong();
      Gauge.builder("gateway.tls.certificate.expiry", seconds, AtomicLong::get)
          .description("Not-after of the certificate the listener serves (earliest in its chain), Unix seconds")
          .baseUnit("seconds")
          .tag("listener", l)
          .register(registry);
      return seconds;
    }).set(notAfter.getEpochSecond());
  }
}
