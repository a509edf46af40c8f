package com.timereg.gateway.throttle;

import com.timereg.gateway.clientip.Cidr;
import java.time.Instant;
import java.util.Objects;

/**
 * A block set by an administrator. It always has an expiry: a forgotten permanent block is how
 * customers end up locked out for months.
 */
public record ManualBlock(Cidr cidr, Instant until, String reason, String createdBy, Instant createdAt) {
  public ManualBlock {
    Objects.requireNonNull(cidr, "cidr");
    Objects.requireNonNull(until, "until");
    reason = reason == null ? "" : reason;
    createdBy = createdBy == null ? "" : createdBy;
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
