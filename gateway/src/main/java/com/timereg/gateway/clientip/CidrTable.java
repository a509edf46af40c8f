package com.timereg.gateway.clientip;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable map from address blocks to values, answering "which block contains this address"
 * with the most specific (longest prefix) match. A lookup costs one hash probe per distinct prefix
 * length in the table, so an empty table costs nothing.
 */
public final class CidrTable<V> {
  private static final CidrTable<?> EMPTY = new CidrTable<>(Map.of());

  private final Map<Cidr, V> entries;
  private final List<Group<V>> groups;

  private CidrTable(Map<Cidr, V> entries) {
    this.entries = Collections.unmodifiableMap(new HashMap<>(entries));
    Map<Integer, Map<Bits, V>> byPrefix = new HashMap<>();
    for (Map.Entry<Cidr, V> e : entries.entrySet()) {
      Cidr c = e.getKey();
      int groupId = (c.isIpv4() ? 0 : 1000) + c.prefixLength();
      byPrefix.computeIfAbsent(groupId, k -> new HashMap<>()).put(Bits.of(c.networkBytes()), e.getValue());
    }
    List<Group<V>> list = new ArrayList<>();
    byPrefix.forEach((id, map) -> list.add(new Group<>(id < 1000, id % 1000, map)));
    list.sort(Comparator.comparingInt((Group<V> g) -> g.prefixLength).reversed());
    this.groups = List.copyOf(list);
  }

  @SuppressWarnings("unchecked")
  public static <V> CidrTable<V> empty() {
    return (CidrTable<V>) EMPTY;
  }

  public static <V> CidrTable<V> of(Map<Cidr, V> entries) {
    return entries.isEmpty() ? empty() : new CidrTable<>(entries);
  }

  /** The value of the most specific block containing {@code address}, or null. */
  public V lookup(InetAddress address) {
    if (groups.isEmpty()) {
      return null;
    }
    boolean v4 = address instanceof Inet4Address;
    byte[] bytes = null;
    for (Group<V> g : groups) {
      if (g.ipv4 != v4) {
        continue;
      }
      if (bytes == null) {
        bytes = address.getAddress();
      }
      V v = g.members.get(Bits.of(Cidr.mask(bytes, g.prefixLength)));
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  /** The values of every block containing {@code address}, most specific first (empty if none). */
  public List<V> lookupAll(InetAddress address) {
    if (groups.isEmpty()) {
      return List.of();
    }
    boolean v4 = address instanceof Inet4Address;
    byte[] bytes = address.getAddress();
    List<V> out = null;
    for (Group<V> g : groups) {
      V v = g.ipv4 == v4 ? g.members.get(Bits.of(Cidr.mask(bytes, g.prefixLength))) : null;
      if (v != null) {
        if (out == null) {
          out = new ArrayList<>(2);
        }
        out.add(v);
      }
    }
    return out == null ? List.of() : out;
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The entries as an unmodifiable map. */
  public Map<Cidr, V> asMap() {
    return entries;
  }

  private record Group<V>(boolean ipv4, int prefixLength, Map<Bits, V> members) {}

  private record Bits(long hi, long lo) {
    static Bits of(byte[] b) {
      long hi = 0;
      long lo = 0;
      for (int i = 0; i < b.length; i++) {
        if (b.length == 16 && i < 8) {
          hi = (hi << 8) | (b[i] & 0xff);
        } else {
          lo = (lo << 8) | (b[i] & 0xff);
        }
      }
      return new Bits(hi, lo);
    }
  }
}
