package com.timereg.gateway.throttle;

import java.nio.ByteBuffer;

/**
 * The per-key state of a client or range: a two-window failure counter, the block and its
 * escalation level, a two-window counter of blocked clients (ranges only), and the last success.
 * Times are epoch milliseconds; zero means never. A fixed {@link #SIZE}-byte encoding keeps
 * off-heap values constant-size.
 *
 * <p>Mutable so an update can work on one private copy; stores never hand out their own instance.
 */
public final class RateRecord {
  /** Encoded size in bytes, including a leading format byte. */
  public static final int SIZE = 88;
  static final byte FORMAT = 1;

  long windowStart;
  int currentFailures;
  int previousFailures;
  long blockedUntil;
  int blockLevel;
  long lastBlockAt;
  byte blockReason;
  long clientWindowStart;
  int currentBlockedClients;
  int previousBlockedClients;
  long lastSuccessAt;
  long firstFailureAt;
  long lastFailureAt;
  int totalFailures;

  public RateRecord copy() {
    RateRecord r = new RateRecord();
    r.windowStart = windowStart;
    r.currentFailures = currentFailures;
    r.previousFailures = previousFailures;
    r.blockedUntil = blockedUntil;
    r.blockLevel = blockLevel;
    r.lastBlockAt = lastBlockAt;
    r.blockReason = blockReason;
    r.clientWindowStart = clientWindowStart;
    r.currentBlockedClients = currentBlockedClients;
    r.previousBlockedClients = previousBlockedClients;
    r.lastSuccessAt = lastSuccessAt;
    r.firstFailureAt = firstFailureAt;
    r.lastFailureAt = lastFailureAt;
    r.totalFailures = totalFailures;
    return r;
  }

  public long blockedUntil() {
    return blockedUntil;
  }

  public int blockLevel() {
    return blockLevel;
  }

  public long lastBlockAt() {
    return lastBlockAt;
  }

  public BlockReason blockReason() {
    return BlockReason.fromCode(blockReason);
  }

  public long lastSuccessAt() {
    return lastSuccessAt;
  }

  public long firstFailureAt() {
    return firstFailureAt;
  }

  public long lastFailureAt() {
    return lastFailureAt;
  }

  public int totalFailures() {
    return totalFailures;
  }

  public boolean isBlocked(long nowMs) {
    return blockedUntil > nowMs;
  }

  public byte[] encode() {
    byte[] out = new byte[SIZE];
    encodeInto(out);
    return out;
  }

  public void encodeInto(byte[] out) {
    ByteBuffer b = ByteBuffer.wrap(out);
    b.put(FORMAT).put(blockReason)
        .putLong(windowStart).putInt(currentFailures).putInt(previousFailures)
        .putLong(blockedUntil).putInt(blockLevel).putLong(lastBlockAt)
        .putLong(clientWindowStart).putInt(currentBlockedClients).putInt(previousBlockedClients)
        .putLong(lastSuccessAt).putLong(firstFailureAt).putLong(lastFailureAt).putInt(totalFailures);
  }

  /** Decodes {@link #encode()} output; a foreign format byte means a damaged or alien value. */
  public static RateRecord decode(byte[] in) {
    if (in == null || in.length != SIZE || in[0] != FORMAT) {
      throw new IllegalArgumentException("not a rate record");
    }
    ByteBuffer b = ByteBuffer.wrap(in);
    b.get();
    RateRecord r = new RateRecord();
    r.blockReason = b.get();
    r.windowStart = b.getLong();
    r.currentFailures = b.getInt();
    r.previousFailures = b.getInt();
    r.blockedUntil = b.getLong();
    r.blockLevel = b.getInt();
    r.lastBlockAt = b.getLong();
    r.clientWindowStart = b.getLong();
    r.currentBlockedClients = b.getInt();
    r.previousBlockedClients = b.getInt();
    r.lastSuccessAt = b.getLong();
    r.firstFailureAt = b.getLong();
    r.lastFailureAt = b.getLong();
    r.totalFailures = b.getInt();
    return r;
  }

  /** Reads only the block expiry from an encoded record, for the allocation-free block check. */
  static long blockedUntilOf(byte[] encoded) {
    return encoded[0] == FORMAT ? ByteBuffer.wrap(encoded).getLong(BLOCKED_UNTIL_OFFSET) : 0L;
  }

  /** Offset of blockedUntil in the encoding: format, reason, windowStart, two counts. */
  static final int BLOCKED_UNTIL_OFFSET = 1 + 1 + 8 + 4 + 4;
}
