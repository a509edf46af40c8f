package com.timereg.gateway.clientip;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * A fixed-size binary key for one client or range: 17 bytes, a prefix length followed by the
 * masked address in IPv6 form (IPv4 as {@code ::ffff:a.b.c.d}, its prefix offset by 96). One shape
 * for both families keeps off-heap maps at a constant key size.
 */
public final class AddressKey {
  public static final int SIZE = 17;
  private static final int V4_OFFSET = 96;

  private final byte[] bytes;
  private final int hash;

  private AddressKey(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  /** The key of the block of {@code prefixLength} bits (in the address's own family) holding it. */
  public static AddressKey of(InetAddress address, int prefixLength) {
    byte[] raw = address.getAddress();
    byte[] out = new byte[SIZE];
    if (address instanceof Inet4Address) {
      out[0] = (byte) (V4_OFFSET + prefixLength);
      out[11] = (byte) 0xff;
      out[12] = (byte) 0xff;
      byte[] masked = Cidr.mask(raw, prefixLength);
      System.arraycopy(masked, 0, out, 13, 4);
    } else {
      out[0] = (byte) prefixLength;
      System.arraycopy(Cidr.mask(raw, prefixLength), 0, out, 1, 16);
    }
    return new AddressKey(out);
  }

  public static AddressKey of(Cidr cidr) {
    return of(cidr.network(), cidr.prefixLength());
  }

  /** Rebuilds a key from {@link #toBytes()}; rejects arrays that no key could have produced. */
  public static AddressKey fromBytes(byte[] bytes) {
    if (bytes.length != SIZE || (bytes[0] & 0xff) > 128) {
      throw new IllegalArgumentException("not an address key");
    }
    return new AddressKey(bytes.clone());
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  /** Copies the key into {@code target} at {@code offset} without allocating. */
  public void copyTo(byte[] target, int offset) {
    System.arraycopy(bytes, 0, target, offset, SIZE);
  }

  public boolean isIpv4() {
    if ((bytes[0] & 0xff) < V4_OFFSET || bytes[11] != (byte) 0xff || bytes[12] != (byte) 0xff) {
      return false;
    }
    for (int i = 1; i <= 10; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** The block this key stands for, in its own family (IPv4 keys give IPv4 blocks). */
  public Cidr toCidr() {
    try {
      if (isIpv4()) {
        byte[] v4 = Arrays.copyOfRange(bytes, 13, 17);
        return Cidr.of(InetAddress.getByAddress(v4), (bytes[0] & 0xff) - V4_OFFSET);
      }
      return Cidr.of(InetAddress.getByAddress(Arrays.copyOfRange(bytes, 1, 17)), bytes[0] & 0xff);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e); // fixed lengths 4 and 16 never fail
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AddressKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return toCidr().toString();
  }
}
