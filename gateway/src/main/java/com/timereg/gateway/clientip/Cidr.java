package com.timereg.gateway.clientip;

import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An address block such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a bare address is a
 * single-host block. Parsing errors are {@link IllegalArgumentException}s whose message can be
 * shown to an administrator as is.
 */
public final class Cidr {
  private final byte[] network;
  private final int prefixLength;

  private Cidr(byte[] network, int prefixLength) {
    this.network = network;
    this.prefixLength = prefixLength;
  }

  /** Parses {@code address/prefix} or a bare address; host bits must be zero. */
  public static Cidr parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty address range; expected e.g. 10.0.0.0/8 or 2001:db8::/32");
    }
    String s = text.strip();
    int slash = s.indexOf('/');
    String addressPart = slash < 0 ? s : s.substring(0, slash);
    InetAddress address = IpLiterals.parse(addressPart);
    if (address == null) {
      throw new IllegalArgumentException(
          "'" + abbreviate(s) + "' is not an IP address range: '" + abbreviate(addressPart)
              + "' is not an IPv4 or IPv6 address literal");
    }
    int max = maxPrefix(address);
    int prefix;
    if (address instanceof Inet4Address && addressPart.indexOf(':') >= 0) {
      // IPv4-mapped IPv6 notation (::ffff:a.b.c.d): its prefix counts IPv6 bits, of which the first 96 are the
      // mapping; the block is the IPv4 one those addresses stand for (every IPv4-mapped address is IPv4 here).
      int v6Prefix = slash < 0 ? 128 : parsePrefix(s, s.substring(slash + 1), 128);
      if (v6Prefix < 96) {
        throw new IllegalArgumentException(
            "'" + abbreviate(s) + "' reaches beyond the IPv4-mapped addresses (::ffff:0:0/96): give an IPv4-mapped"
                + " range a prefix of at least 96, or write the IPv4 range itself, e.g. 192.0.2.0/24");
      }
      prefix = v6Prefix - 96;
    } else {
      prefix = slash < 0 ? max : parsePrefix(s, s.substring(slash + 1), max);
    }
    byte[] bytes = address.getAddress();
    byte[] masked = mask(bytes, prefix);
    if (!Arrays.equals(bytes, masked)) {
      throw new IllegalArgumentException(
          "'" + abbreviate(s) + "' has bits set after the /" + prefix + " prefix; did you mean "
              + new Cidr(masked, prefix) + "?");
    }
    return new Cidr(masked, prefix);
  }

  /** The block of the given length that contains {@code address} (host bits cleared). */
  public static Cidr of(InetAddress address, int prefixLength) {
    int max = maxPrefix(address);
    if (prefixLength < 0 || prefixLength > max) {
      throw new IllegalArgumentException("prefix length " + prefixLength + " is outside 0.." + max);
    }
    return new Cidr(mask(address.getAddress(), prefixLength), prefixLength);
  }

  public boolean contains(InetAddress address) {
    byte[] other = address.getAddress();
    if (other.length != network.length) {
      return false;
    }
    int fullBytes = prefixLength / 8;
    for (int i = 0; i < fullBytes; i++) {
      if (other[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int m = (0xff << (8 - rest)) & 0xff;
    return (other[fullBytes] & m) == (network[fullBytes] & 0xff);
  }

  public boolean isIpv4() {
    return network.length == 4;
  }

  public int prefixLength() {
    return prefixLength;
  }

  /** The network address (host bits zero). */
  public InetAddress network() {
    try {
      return InetAddress.getByAddress(network);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // length is always 4 or 16
    }
  }

  /** A copy of the network address bytes (4 or 16). */
  public byte[] networkBytes() {
    return network.clone();
  }

  static int maxPrefix(InetAddress address) {
    return address instanceof Inet4Address ? 32 : 128;
  }

  static byte[] mask(byte[] bytes, int prefixLength) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int bitsHere = Math.max(0, Math.min(8, prefixLength - i * 8));
      out[i] = (byte) (out[i] & ((0xff << (8 - bitsHere)) & 0xff));
    }
    return out;
  }

  private static int parsePrefix(String whole, String digits, int max) {
    if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException(
          "'" + abbreviate(whole) + "' has no valid prefix length after '/'; expected a number 0.." + max);
    }
    int prefix = Integer.parseInt(digits);
    if (prefix > max) {
      throw new IllegalArgumentException(
          "'" + abbreviate(whole) + "' has prefix length " + prefix + ", but "
              + (max == 32 ? "IPv4" : "IPv6") + " allows at most " + max);
    }
    return prefix;
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefixLength;
  }

  @Override
  public String toString() {
    return NetUtil.toAddressString(network()) + "/" + prefixLength;
  }
}
