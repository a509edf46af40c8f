package com.timereg.gateway.proxy;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.clientip.IpLiterals;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many WebSocket tunnels each session has open on this node, shared by the proxy instances of all event
 * loops, and the cap on it ({@code backend.max-tunnels-per-session}). Each tunnel holds a backend connection
 * for as long as it is open, outside the pool's limits: without a cap, one signed-in client could open
 * thousands. A tunnel on a public path has no session: it counts against its client address instead (the
 * resolved one, as the backend's {@code X-Forwarded-For}), under the same cap, or anyone could open thousands
 * without signing in. An address is taken as the throttle takes a client ({@code client-address.ipv6-client-prefix}:
 * an IPv6 address by its /64), since one subscriber picks any address of its /64 at will: counted per address,
 * each tunnel could come from a new one and the cap held no one. A handshake over the cap is refused before it reaches the backend. Capacity: one entry
 * per session or address with a tunnel open (or a handshake on its way), removed with its last tunnel.
 */
public final class TunnelQuota {
  private final int maxPerSession;
  private final ClientKeys clients;
  private final Map<String, Integer> open = new ConcurrentHashMap<>();

  /** With the default client prefixes (IPv4 /32, IPv6 /64). */
  public TunnelQuota(int maxPerSession) {
    this(maxPerSession, new ClientKeys(ClientKeyPolicy.DEFAULTS));
  }

  /** @param clients what one client address is: the throttle's, so that both count the same clients */
  public TunnelQuota(int maxPerSession, ClientKeys clients) {
    if (maxPerSession < 1) {
      throw new IllegalArgumentException("maxPerSession must be at least 1");
    }
    this.maxPerSession = maxPerSession;
    this.clients = java.util.Objects.requireNonNull(clients, "clients");
  }

  /**
   * What a tunnel counts against: its session, or without one (a public path) its client address. Sessions
   * and addresses are kept apart, so that no session id can stand for an address.
   */
  String key(String session, String clientAddress) {
    if (session != null) {
      return "session " + session;
    }
    InetAddress address = IpLiterals.parsePeer(clientAddress);
    // Not an address ("unknown" without a peer): counted as the text it is.
    return "address " + (address == null ? clientAddress : Cidr.of(address, clients.clientPrefix(address)).toString());
  }

  /** Takes a place for a tunnel of {@code key}; false (nothing taken) when its tunnels are at the cap. */
  boolean acquire(String key) {
    boolean[] taken = {false};
    open.compute(key, (k, count) -> {
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
  void release(String key) {
    open.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
  }
}
