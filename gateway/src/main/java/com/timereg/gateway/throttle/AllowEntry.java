package com.timereg.gateway.throttle;

import com.timereg.gateway.clientip.Cidr;
import java.time.Instant;
import java.util.Objects;

/** An address block that is never blocked (customer offices, monitoring). */
public record AllowEntry(Cidr cidr, String reason, String createdBy, Instant createdAt) {
  public AllowEntry {
    Objects.requireNonNull(cidr, "cidr");
    reason = reason == null ? "" : reason;
    createdBy = createdBy == null ? "" : createdBy;
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
