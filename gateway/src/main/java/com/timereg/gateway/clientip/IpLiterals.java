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
    if (text.indexOf(':') < 0) {
      return NetUtil.isValidIpV4Address(text) && !hasLeadingZero(text) ? address(NetUtil.createByteArrayFromIpAddressString(text)) : null;
    }
    String v6 = text.indexOf('.') < 0 ? text : withDottedQuadAsHextets(text);
    if (v6 == null || !NetUtil.isValidIpV6Address(v6)) {
      return null;
    }
    // Netty reads pure hextets exactly: "::1.2.3.4" (IPv4-compatible) is ::102:304, an IPv6 address, as
    // PostgreSQL prints it back; "::ffff:1.2.3.4" becomes IPv4 in getByAddress.
    return address(NetUtil.createByteArrayFromIpAddressString(v6));
  }

  /**
   * RFC 4291 2.2's mixed notation ({@code 64:ff9b::192.0.2.1}, {@code 2001:db8::1.2.3.4}) with its dotted quad
   * written as two hextets; Netty reads only {@code ::} and {@code ::ffff:} before a dotted quad. Null when the
   * dotted quad is not a plain one.
   */
  private static String withDottedQuadAsHextets(String text) {
    int colon = text.lastIndexOf(':');
    String quad = text.substring(colon + 1);
    if (text.lastIndexOf('.', colon) >= 0 || !NetUtil.isValidIpV4Address(quad) || hasLeadingZero(quad)) {
      return null;
    }
    byte[] b = NetUtil.createByteArrayFromIpAddressString(quad);
    if (b == null || b.length != 4) {
      return null;
    }
    return text.substring(0, colon + 1)
        + Integer.toHexString(((b[0] & 0xff) << 8) | (b[1] & 0xff)) + ':'
        + Integer.toHexString(((b[2] & 0xff) << 8) | (b[3] & 0xff));
  }

  private static InetAddress address(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      return null; // only thrown for a wrong array length, which the checks above rule out
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
