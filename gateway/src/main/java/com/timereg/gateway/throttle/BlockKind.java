package com.timereg.gateway.throttle;

/** What a block covers and who made it. */
public enum BlockKind {
  /** One client key (an IPv4 address or IPv6 /64), issued automatically. */
  CLIENT("client", true),
  /** A range (IPv4 /24, IPv6 /48), issued automatically. */
  RANGE("range", true),
  /** Any address block, set by an administrator with an expiry. */
  MANUAL("manual", false);

  private final String metricTag;
  private final boolean automatic;

  BlockKind(String metricTag, boolean automatic) {
    this.metricTag = metricTag;
    this.automatic = automatic;
  }

  public String metricTag() {
    return metricTag;
  }

  public boolean isAutomatic() {
    return automatic;
  }
}
