package com.timereg.gateway.loadtest;

import java.util.ArrayList;
import java.util.List;

/**
 * Pools of client (source) addresses. The gateway counts invalid logins per client address and
 * per /24 range, so a load test that comes from one address tests one client, however many
 * virtual users it runs. On Linux every address of 127.0.0.0/8 is bound to the loopback
 * interface, so a load generator on the gateway's own machine can be thousands of distinct
 * clients in hundreds of ranges without any network set-up.
 *
 * <p>A spec is a comma-separated list of addresses and CIDR blocks, e.g.
 * {@code 127.1.0.1,127.1.0.2} or {@code 127.66.0.0/20}. A block yields its host addresses
 * (.1 to .254 of every /24 in it), so the pool never contains a network or broadcast address.
 */
final class SourceAddresses {
  /** Larger pools are a typo (a /8), not a plan: Gatling keeps one entry per address. */
  static final int MAX_POOL = 65_536;

  private SourceAddresses() {}

  /** The addresses of {@code spec}; an empty or blank spec is an empty pool (the OS chooses). */
  static List<String> parse(String spec) {
    List<String> out = new ArrayList<>();
    if (spec == null || spec.isBlank()) {
      return out;
    }
    for (String item : spec.split(",")) {
      String s = item.trim();
      if (s.isEmpty()) {
        continue;
      }
      int slash = s.indexOf('/');
      if (slash < 0) {
        out.add(format(toInt(s)));
      } else {
        addBlock(out, toInt(s.substring(0, slash)), prefix(s, s.substring(slash + 1)));
      }
      if (out.size() > MAX_POOL) {
        throw new IllegalArgumentException("address pool '" + spec + "' has more than " + MAX_POOL + " addresses");
      }
    }
    return out;
  }

  /** {@link #parse(String)} of the value of {@code -Dproperty}, naming the property when it does not parse. */
  static List<String> parse(String property, String spec) {
    try {
      return parse(spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("-D" + property + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@code perRange} addresses in each of {@code ranges} consecutive /24 ranges starting at
   * {@code first} (which must start a /24, e.g. 127.66.1.0) and within its /8: the shape of a botnet seen
   * from the gateway, many addresses spread over many networks.
   */
  static List<String> spread(String first, int ranges, int perRange) {
    int base = toInt(first);
    if ((base & 0xff) != 0) {
      throw new IllegalArgumentException(first + " does not start a /24 range");
    }
    if (perRange < 1 || perRange > 254 || ranges < 1 || (long) ranges * perRange > MAX_POOL) {
      throw new IllegalArgumentException("need 1-254 addresses per range and at most " + MAX_POOL + " in all");
    }
    // The ranges stay in the /8 they start in: past 127.255.255.0 comes 128.0.0.0, no loopback address (and
    // past 255.255.255.0 the count would wrap round to 0.0.0.0).
    if ((base >>> 24) != (int) ((Integer.toUnsignedLong(base) + ((long) (ranges - 1) << 8)) >>> 24)) {
      throw new IllegalArgumentException(ranges + " ranges from " + first + " leave "
          + format(base & 0xff000000) + "/8");
    }
    List<String> out = new ArrayList<>(ranges * perRange);
    for (int r = 0; r < ranges; r++) {
      for (int h = 1; h <= perRange; h++) {
        out.add(format(base + (r << 8) + h));
      }
    }
    return out;
  }

  /** The /24 range of an IPv4 address, as the gateway keys it by default: {@code a.b.c.0/24}. */
  static String rangeOf(String address) {
    return format(toInt(address) & 0xffffff00) + "/24";
  }

  private static void addBlock(List<String> out, int address, int prefix) {
    if (prefix < 16) {
      throw new IllegalArgumentException("a block must be /16 or smaller, was /" + prefix);
    }
    long size = 1L << (32 - prefix);
    int network = (int) (address & (0xffffffffL << (32 - prefix)));
    for (long i = 0; i < size; i++) {
      int a = (int) (network + i);
      int host = a & 0xff;
      // With /31 and /32 every address is usable; in larger blocks skip .0 and .255 of each /24.
      if (size <= 2 || (host != 0 && host != 255)) {
        out.add(format(a));
      }
    }
  }

  private static int prefix(String spec, String p) {
    try {
      int n = Integer.parseInt(p);
      if (n < 0 || n > 32) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad prefix length in '" + spec + "'", e);
    }
  }

  static int toInt(String dotted) {
    String[] parts = dotted.trim().split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'");
    }
    int v = 0;
    for (String part : parts) {
      int octet;
      try {
        octet = Integer.parseInt(part);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'", e);
      }
      if (octet < 0 || octet > 255) {
        throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'");
      }
      v = (v << 8) | octet;
    }
    return v;
  }

  static String format(int a) {
    return ((a >>> 24) & 0xff) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
  }
}
