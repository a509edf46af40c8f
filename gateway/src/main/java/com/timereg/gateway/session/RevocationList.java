package com.timereg.gateway.session;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Session ids revoked recently, so that their access tokens are refused on the hot path without a
 * database query.
 *
 * <p>Window: an id is kept until every access token of its session has expired, i.e. the access
 * token lifetime plus twice the clock-skew tolerance after the revocation
 * ({@link SessionSettings#revocationMemory()}); after that the token's own {@code exp} refuses it.
 * Capacity: not capped, since dropping an entry would let a revoked session back in; its size is
 * the number of sessions revoked within that window (about 100 bytes each: 10 000 revocations in
 * five minutes are about 1 MB). Expired entries are swept by {@link #sweep}, every second or refresh grace
 * ({@link SessionService#start}) and at each resync.
 */
final class RevocationList {
  private final Map<String, Long> revokedUntilMillis = new ConcurrentHashMap<>();

  /** Remembers {@code sessionId} as revoked until {@code untilMillis} (later wins over earlier). */
  void add(String sessionId, long untilMillis) {
    revokedUntilMillis.merge(sessionId, untilMillis, Math::max);
  }

  boolean isRevoked(String sessionId, long nowMillis) {
    Long until = revokedUntilMillis.get(sessionId);
    return until != null && until > nowMillis;
  }

  /** Drops entries whose window has passed; returns how many remain. */
  int sweep(long nowMillis) {
    revokedUntilMillis.values().removeIf(until -> until <= nowMillis);
    return revokedUntilMillis.size();
  }

  int size() {
    return revokedUntilMillis.size();
  }
}
