package com.timereg.gateway.clientip;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Parses IP address literals without ever touching DNS.
 *
 * <p>{@link InetAddress#getByName} resolves anything that is not a literal, and accepts legacy IPv4
 * forms such as {@code 1.2.3} or {@code 0x7f.1}; an attacker-controlled header must trigger neither.
 */
public final class IpLiterals {
  private IpLiterals() {}

  /**
   * Returns the address, or null when {@code text} is not a plain IPv4 dotted quad or IPv6 literal
   * (no brackets, ports, zone ids or host names). IPv4-mapped IPv6 literals become IPv4 addresses,
   * so a dual-stack socket and an IPv4 socket give the same client key.
   */
  public static InetAddress parse(String text) {
    if (text == null || text.isEmpty() || text.length() > 45 || text.indexOf('%') >= 0) {
      return null;
    }
    boolean v6 = text.indexOf(':') >= 0;
    if (!(v6 ? NetUtil.isValidIpV6Address(text) : NetUtil.isValidIpV4Address(text) && !hasLeadingZero(text))) {
      return null;
    }
    if (v6 && text.indexOf('.') >= 0 && hasLeadingZero(text.substring(text.lastIndexOf(':') + 1))) {
      return null; // the same ambiguity inside ::ffff:010.0.0.1
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
    if (bytes == null) {
      return null;
    }
    if (v6 && bytes.length == 16 && ipv4CompatibleMadeMapped(text, bytes)) {
      // Netty turns "::1.2.3.4" (IPv4-compatible, ::102:304) into ::ffff:1.2.3.4, which Java then
      // makes the IPv4 address 1.2.3.4. It is an IPv6 address, and PostgreSQL prints such
      // addresses in exactly this dotted form: read back, it must be the same address.
      bytes[10] = 0;
      bytes[11] = 0;
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      return null; // only thrown for a wrong array length, which the check above rules out
    }
  }

  /**
   * Parses the host address of a socket peer as the server reports it (e.g. Vert.x
   * {@code SocketAddress.hostAddress()}), which may carry an IPv6 zone id such as {@code %eth0}.
   * Returns null for anything else, such as a Unix domain socket's null address.
   */
  public static InetAddress parsePeer(String hostAddress) {
    if (hostAddress == null) {
      return null;
    }
    int zone = hostAddress.indexOf('%');
    return parse(zone < 0 ? hostAddress : hostAddress.substring(0, zone));
  }

  /** An IPv6 literal ending in a dotted quad, not written with ffff before it, that came out IPv4-mapped. */
  private static boolean ipv4CompatibleMadeMapped(String text, byte[] bytes) {
    if (text.indexOf('.') < 0 || bytes[10] != (byte) 0xff || bytes[11] != (byte) 0xff) {
      return false;
    }
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    String hextets = text.substring(0, text.lastIndexOf(':')).toLowerCase(java.util.Locale.ROOT);
    return !hextets.endsWith("ffff");
  }

  /** "010.0.0.1" is 8.0.0.1 to some parsers and 10.0.0.1 to others: refuse to guess. */
  private static boolean hasLeadingZero(String dotted) {
    for (int i = 0; i < dotted.length() - 1; i++) {
      boolean octetStart = i == 0 || dotted.charAt(i - 1) == '.';
      if (octetStart && dotted.charAt(i) == '0' && dotted.charAt(i + 1) != '.') {
        return true;
      }
    }
    return false;
  }
}
