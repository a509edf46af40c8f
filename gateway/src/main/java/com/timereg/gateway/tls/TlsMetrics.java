package com.timereg.gateway.tls;

import java.time.Instant;

/** What the TLS listeners report; {@link MicrometerTlsMetrics} is the production implementation. */
public interface TlsMetrics {

  /** Reports nothing: for tools and tests that do not look at metrics. */
  TlsMetrics NONE = (listener, notAfter) -> {};

  /**
   * A listener serves a certificate from now on (at start, and after each reload).
   *
   * @param listener {@code public} or {@code admin}
   * @param notAfter the earliest not-after of the chain it serves
   */
  void certificateInUse(String listener, Instant notAfter);
}
