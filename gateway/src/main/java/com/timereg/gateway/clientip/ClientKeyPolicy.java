package com.timereg.gateway.clientip;

import java.util.ArrayList;
import java.util.List;

/**
 * How client addresses are aggregated into throttling keys.
 *
 * @param ipv4ClientPrefix bits of an IPv4 address that identify one client (32: the address itself)
 * @param ipv6ClientPrefix bits of an IPv6 address that identify one client; /64 because one
 *     subscriber usually owns a whole /64 and can pick any address in it at will
 * @param ipv4RangePrefix bits that identify an IPv4 range (/24)
 * @param ipv6RangePrefix bits that identify an IPv6 range (/48, a typical site allocation)
 */
public record ClientKeyPolicy(
    int ipv4ClientPrefix, int ipv6ClientPrefix, int ipv4RangePrefix, int ipv6RangePrefix) {

  public static final int DEFAULT_IPV4_CLIENT_PREFIX = 32;
  public static final int DEFAULT_IPV6_CLIENT_PREFIX = 64;
  public static final int DEFAULT_IPV4_RANGE_PREFIX = 24;
  public static final int DEFAULT_IPV6_RANGE_PREFIX = 48;

  public static final ClientKeyPolicy DEFAULTS = new ClientKeyPolicy(
      DEFAULT_IPV4_CLIENT_PREFIX, DEFAULT_IPV6_CLIENT_PREFIX,
      DEFAULT_IPV4_RANGE_PREFIX, DEFAULT_IPV6_RANGE_PREFIX);

  /** Every problem with these settings, empty when valid. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    check(out, "ipv4-client-prefix", ipv4ClientPrefix, 32);
    check(out, "ipv6-client-prefix", ipv6ClientPrefix, 128);
    check(out, "ipv4-range-prefix", ipv4RangePrefix, 32);
    check(out, "ipv6-range-prefix", ipv6RangePrefix, 128);
    if (ipv4RangePrefix > ipv4ClientPrefix) {
      out.add("ipv4-range-prefix (" + ipv4RangePrefix + ") must not be longer than ipv4-client-prefix ("
          + ipv4ClientPrefix + ")");
    }
    if (ipv6RangePrefix > ipv6ClientPrefix) {
      out.add("ipv6-range-prefix (" + ipv6RangePrefix + ") must not be longer than ipv6-client-prefix ("
          + ipv6ClientPrefix + ")");
    }
    return out;
  }

  private static void check(List<String> out, String name, int value, int max) {
    if (value < 1 || value > max) {
      out.add(name + " must be between 1 and " + max + ", was " + value);
    }
  }
}
