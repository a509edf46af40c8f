package com.timereg.gateway.clientip;

import java.net.Inet4Address;
import java.net.InetAddress;

/** Maps a client address to its client key and its range key under a {@link ClientKeyPolicy}. */
public final class ClientKeys {
  private final ClientKeyPolicy policy;

  public ClientKeys(ClientKeyPolicy policy) {
    var problems = policy.problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid client key policy: " + String.join("; ", problems));
    }
    this.policy = policy;
  }

  public ClientKeyPolicy policy() {
    return policy;
  }

  /** The key that identifies one client: the IPv4 address, or the IPv6 /64 by default. */
  public AddressKey clientKey(InetAddress address) {
    return AddressKey.of(address, clientPrefix(address));
  }

  /** The key of the range the client belongs to: IPv4 /24 or IPv6 /48 by default. */
  public AddressKey rangeKey(InetAddress address) {
    return AddressKey.of(address, rangePrefix(address));
  }

  public int clientPrefix(InetAddress address) {
    return address instanceof Inet4Address ? policy.ipv4ClientPrefix() : policy.ipv6ClientPrefix();
  }

  public int rangePrefix(InetAddress address) {
    return address instanceof Inet4Address ? policy.ipv4RangePrefix() : policy.ipv6RangePrefix();
  }

  /** What a block is to the throttle: one client's key, one range's key, or neither. */
  public enum Shape { CLIENT, RANGE, OTHER }

  public Shape shapeOf(Cidr cidr) {
    int client = cidr.isIpv4() ? policy.ipv4ClientPrefix() : policy.ipv6ClientPrefix();
    int range = cidr.isIpv4() ? policy.ipv4RangePrefix() : policy.ipv6RangePrefix();
    if (cidr.prefixLength() == client) {
      return Shape.CLIENT;
    }
    return cidr.prefixLength() == range ? Shape.RANGE : Shape.OTHER;
  }
}
