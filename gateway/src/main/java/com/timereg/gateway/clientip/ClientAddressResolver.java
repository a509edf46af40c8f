package com.timereg.gateway.clientip;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides the client address of a request: the socket peer, unless the peer is a trusted proxy;
 * then the right-most X-Forwarded-For entry that is not itself a trusted proxy.
 *
 * <p>Right-most, never left-most: each proxy appends the address it saw, so only the entries added
 * by our own proxies are trustworthy, and everything to their left was written by the client.
 */
public final class ClientAddressResolver {
  /** More entries than any real proxy chain; bounds the work a hostile header can cause. */
  static final int MAX_ENTRIES = 64;
  /**
   * RFC 6052's well-known prefix: a NAT64 or SIIT-DC translator's name for the IPv4 address in the last 32 bits.
   * Read as IPv6, every IPv4 client behind the translator would share one /64 client key.
   */
  private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");

  private final CidrTable<Boolean> trustedProxies;

  /** @param trustedProxies blocks whose peers may set X-Forwarded-For; empty trusts nobody */
  public ClientAddressResolver(List<Cidr> trustedProxies) {
    Map<Cidr, Boolean> map = new HashMap<>();
    trustedProxies.forEach(c -> map.put(c, Boolean.TRUE));
    this.trustedProxies = CidrTable.of(map);
  }

  /** A resolver that trusts no proxy: the socket peer is always the client. */
  public static ClientAddressResolver direct() {
    return new ClientAddressResolver(List.of());
  }

  public boolean isTrustedProxy(InetAddress address) {
    return trustedProxies.lookup(address) != null;
  }

  /**
   * @param peer the socket peer address
   * @param forwardedForHeaders every X-Forwarded-For header value in arrival order (may be empty)
   * @return the client address; the peer whenever the headers cannot be trusted or parsed. An address in
   *     64:ff9b::/96 is the IPv4 address it embeds, as an IPv4-mapped one is.
   */
  public InetAddress resolve(InetAddress peer, List<String> forwardedForHeaders) {
    return embeddedIpv4(forwardedOrPeer(peer, forwardedForHeaders));
  }

  private InetAddress forwardedOrPeer(InetAddress peer, List<String> forwardedForHeaders) {
    if (trustedProxies.isEmpty() || forwardedForHeaders.isEmpty() || !isTrustedProxy(peer)) {
      return peer;
    }
    List<String> entries = splitEntries(forwardedForHeaders);
    InetAddress leftMostTrusted = null;
    for (int i = entries.size() - 1; i >= 0; i--) {
      InetAddress hop = parseEntry(entries.get(i));
      if (hop == null) {
        // A trusted proxy wrote something we cannot read: nothing to its left can be trusted.
        return peer;
      }
      if (!isTrustedProxy(hop)) {
        return hop;
      }
      leftMostTrusted = hop;
    }
    // Every hop is one of ours (an internal caller): the first of them is the client.
    return leftMostTrusted != null ? leftMostTrusted : peer;
  }

  /**
   * The client an address counts as: the IPv4 address a NAT64 one embeds, any other as it is. For the admin API's
   * explanations too, so an address typed as a translator names it shows the key that is enforced.
   */
  public static InetAddress embeddedIpv4(InetAddress address) {
    if (!(address instanceof Inet6Address) || !NAT64.contains(address)) {
      return address;
    }
    try {
      return InetAddress.getByAddress(Arrays.copyOfRange(address.getAddress(), 12, 16));
    } catch (UnknownHostException e) {
      return address; // only thrown for a wrong array length
    }
  }

  private static List<String> splitEntries(List<String> headers) {
    List<String> out = new ArrayList<>();
    for (String header : headers) {
      if (header == null) {
        continue;
      }
      for (String part : header.split(",", -1)) {
        String entry = part.strip();
        if (!entry.isEmpty()) {
          out.add(entry);
        }
      }
    }
    // Only the right-most entries matter; drop the rest rather than parse a giant header.
    return out.size() <= MAX_ENTRIES ? out : out.subList(out.size() - MAX_ENTRIES, out.size());
  }

  /** Parses {@code 1.2.3.4}, {@code 1.2.3.4:5678}, {@code 2001:db8::1} or {@code [2001:db8::1]:443}. */
  static InetAddress parseEntry(String entry) {
    String s = entry;
    if (s.length() >= 2 && s.charAt(0) == '"' && s.charAt(s.length() - 1) == '"') {
      s = s.substring(1, s.length() - 1);
    }
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0 || !validPortSuffix(s.substring(close + 1))) {
        return null;
      }
      return IpLiterals.parse(withoutZone(s.substring(1, close)));
    }
    int colon = s.indexOf(':');
    if (colon >= 0 && colon == s.lastIndexOf(':')) {
      // exactly one colon: IPv4 with a port (a bare IPv6 address has at least two)
      return validPortSuffix(s.substring(colon)) ? IpLiterals.parse(s.substring(0, colon)) : null;
    }
    return IpLiterals.parse(withoutZone(s));
  }

  /**
   * An IPv6 literal without its zone id ({@code fe80::1%eth0}, {@code %2}), as the socket peer's is dropped
   * ({@link IpLiterals#parsePeer}): a proxy prints a link-local peer so, and unread it made the proxy the client.
   * Anything else, an IPv4 address or a zone of other characters, is left for the parser to refuse.
   */
  private static String withoutZone(String literal) {
    int percent = literal.indexOf('%');
    if (percent < 0 || literal.indexOf(':') < 0 || literal.indexOf(':') > percent) {
      return literal;
    }
    String zone = literal.substring(percent + 1);
    if (zone.isEmpty() || zone.length() > 32 || !zone.chars().allMatch(ClientAddressResolver::isZoneChar)) {
      return literal;
    }
    return literal.substring(0, percent);
  }

  private static boolean isZoneChar(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
        || c == '-';
  }

  private static boolean validPortSuffix(String suffix) {
    if (suffix.isEmpty()) {
      return true;
    }
    if (suffix.charAt(0) != ':' || suffix.length() < 2 || suffix.length() > 6) {
      return false;
    }
    for (int i = 1; i < suffix.length(); i++) {
      char c = suffix.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return Integer.parseInt(suffix.substring(1)) <= 65535;
  }
}
