package com.timereg.gateway.proxy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many WebSocket tunnels each session has open on this node, shared by the proxy instances of all event
 * loops, and the cap on it ({@code backend.max-tunnels-per-session}). Each tunnel holds a backend connection
 * for as long as it is open, outside the pool's limits: without a cap, one signed-in client could open
 * thousands. A handshake over the cap is refused before it reaches the backend. Capacity: one entry per
 * session with a tunnel open (or a handshake on its way), removed with its last tunnel.
 */
public final class TunnelQuota {
  private final int maxPerSession;
  private final Map<String, Integer> open = new ConcurrentHashMap<>();

  public TunnelQuota(int maxPerSession) {
    if (maxPerSession < 1) {
      throw new IllegalArgumentException("maxPerSession must be at least 1");
    }
    this.maxPerSession = maxPerSession;
  }

  /** Takes a place for a tunnel of {@code session}; false (nothing taken) when its tunnels are at the cap. */
  boolean acquire(String session) {
    boolean[] taken = {false};
    open.compute(session, (key, count) -> {
      int now = count == null ? 0 : count;
      if (now >= maxPerSession) {
        return count;
      }
      taken[0] = true;
      return now + 1;
    });
    return taken[0];
  }

  /** Gives back a place {@link #acquire} took. */
  void release(String session) {
    open.computeIfPresent(session, (key, count) -> count <= 1 ? null : count - 1);
  }
}
