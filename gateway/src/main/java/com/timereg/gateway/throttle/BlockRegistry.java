package com.timereg.gateway.throttle;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.clientip.CidrTable;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Manual blocks and allowlist entries of this node, fed by configuration, the admin API and
 * propagation from PostgreSQL. Reads are lock-free lookups in immutable tables swapped on each
 * change; changes are rare (human edits) and synchronized.
 */
public final class BlockRegistry {
  private volatile CidrTable<ManualBlock> blocks = CidrTable.empty();
  private volatile CidrTable<AllowEntry> allowed = CidrTable.empty();

  /** Adds or replaces the manual block of {@code block.cidr()}. */
  public synchronized void putManualBlock(ManualBlock block) {
    Map<Cidr, ManualBlock> copy = new HashMap<>(blocks.asMap());
    copy.put(block.cidr(), block);
    blocks = CidrTable.of(copy);
  }

  /** Removes and returns the manual block of exactly this block, or null. */
  public synchronized ManualBlock removeManualBlock(Cidr cidr) {
    Map<Cidr, ManualBlock> copy = new HashMap<>(blocks.asMap());
    ManualBlock removed = copy.remove(cidr);
    if (removed != null) {
      blocks = CidrTable.of(copy);
    }
    return removed;
  }

  public synchronized void putAllow(AllowEntry entry) {
    Map<Cidr, AllowEntry> copy = new HashMap<>(allowed.asMap());
    copy.put(entry.cidr(), entry);
    allowed = CidrTable.of(copy);
  }

  public synchronized AllowEntry removeAllow(Cidr cidr) {
    Map<Cidr, AllowEntry> copy = new HashMap<>(allowed.asMap());
    AllowEntry removed = copy.remove(cidr);
    if (removed != null) {
      allowed = CidrTable.of(copy);
    }
    return removed;
  }

  /** Replaces everything at once, e.g. after (re)loading the tables from PostgreSQL. */
  public synchronized void replaceAll(Collection<ManualBlock> manualBlocks, Collection<AllowEntry> allowlist) {
    Map<Cidr, ManualBlock> b = new HashMap<>();
    manualBlocks.forEach(m -> b.put(m.cidr(), m));
    Map<Cidr, AllowEntry> a = new HashMap<>();
    allowlist.forEach(e -> a.put(e.cidr(), e));
    blocks = CidrTable.of(b);
    allowed = CidrTable.of(a);
  }

  /** The manual block of exactly this block, or null. */
  public ManualBlock manualBlock(Cidr cidr) {
    return blocks.asMap().get(cidr);
  }

  /**
   * The unexpired manual block containing the address that ends last, or null; of two ending together the more
   * specific. Not simply the most specific: an hour's block of an address inside a month's block of its range
   * leaves it refused for the month, which is what its Retry-After and the explain view must say.
   */
  public ManualBlock manualBlockFor(InetAddress address, long nowMillis) {
    ManualBlock decisive = null;
    for (ManualBlock m : blocks.lookupAll(address)) {
      if (m.until().toEpochMilli() > nowMillis && (decisive == null || m.until().isAfter(decisive.until()))) {
        decisive = m;
      }
    }
    return decisive;
  }

  /** The most specific allowlist entry containing the address, or null. */
  public AllowEntry allowFor(InetAddress address) {
    return allowed.lookup(address);
  }

  /** Manual blocks, newest first. */
  public List<ManualBlock> manualBlocks() {
    List<ManualBlock> list = new ArrayList<>(blocks.asMap().values());
    list.sort(Comparator.comparing(ManualBlock::createdAt).reversed().thenComparing(m -> m.cidr().toString()));
    return list;
  }

  /** Allowlist entries, newest first. */
  public List<AllowEntry> allowlist() {
    List<AllowEntry> list = new ArrayList<>(allowed.asMap().values());
    list.sort(Comparator.comparing(AllowEntry::createdAt).reversed().thenComparing(e -> e.cidr().toString()));
    return list;
  }

  /** Removes expired manual blocks and returns them. */
  public synchronized List<ManualBlock> pruneExpired(Instant now) {
    List<ManualBlock> expired = new ArrayList<>();
    Map<Cidr, ManualBlock> copy = new HashMap<>(blocks.asMap());
    copy.values().removeIf(m -> {
      boolean gone = !m.until().isAfter(now);
      if (gone) {
        expired.add(m);
      }
      return gone;
    });
    if (!expired.isEmpty()) {
      blocks = CidrTable.of(copy);
    }
    return expired;
  }
}
