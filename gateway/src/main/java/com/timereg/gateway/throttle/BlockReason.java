package com.timereg.gateway.throttle;

/** Why an automatic block was issued; stored as one byte in a {@link RateRecord}. */
public enum BlockReason {
  NONE(0, "none"),
  CLIENT_FAILURES(1, "too many invalid logins from this address"),
  RANGE_FAILURES(2, "too many invalid logins from this range"),
  RANGE_BLOCKED_CLIENTS(3, "too many blocked addresses in this range"),
  REMOTE(4, "blocked by another gateway node"),
  MANUAL(5, "blocked by an administrator");

  private final byte code;
  private final String description;

  BlockReason(int code, String description) {
    this.code = (byte) code;
    this.description = description;
  }

  public String description() {
    return description;
  }

  byte code() {
    return code;
  }

  static BlockReason fromCode(byte code) {
    for (BlockReason r : values()) {
      if (r.code == code) {
        return r;
      }
    }
    return NONE;
  }
}
