package com.timereg.gateway.throttle;

import com.timereg.gateway.clientip.AddressKey;
import com.timereg.gateway.clientip.ClientKeys;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Read-only views of throttle state for the admin API: per-key state and the list of blocks. */
final class BlockViews {
  private final BlockRules rules;
  private final ClientKeys keys;
  private final ThrottleStore clients;
  private final ThrottleStore ranges;
  private final BlockRegistry registry;
  private final SuccessfulPeople people;

  BlockViews(BlockRules rules, ClientKeys keys, ThrottleStore clients, ThrottleStore ranges, BlockRegistry registry,
      SuccessfulPeople people) {
    this.rules = rules;
    this.keys = keys;
    this.clients = clients;
    this.ranges = ranges;
    this.registry = registry;
    this.people = people;
  }

  KeyState state(boolean client, InetAddress address, long now, boolean surge) {
    AddressKey key = client ? keys.clientKey(address) : keys.rangeKey(address);
    RateRecord stored = (client ? clients : ranges).get(key);
    RateRecord r = stored == null ? new RateRecord() : stored;
    boolean headroom = rules.hasSuccessHeadroom(r, now);
    // People counted without headroom in force (its success memory passed) raise nothing: shown as none.
    int recentPeople = headroom ? people.people(key, now) : 0;
    int limit = client ? rules.clientFailureLimit(r, now, surge, recentPeople)
        : rules.rangeFailureLimit(r, now, surge, recentPeople);
    return new KeyState(key.toCidr(), stored != null, rules.failureEstimate(r, now), limit,
        client ? 0 : rules.blockedClientEstimate(r, now),
        client ? 0 : rules.rangeBlockedClientLimit(r, now, surge),
        headroom, recentPeople, instant(r.lastSuccessAt),
        r.isBlocked(now) ? Instant.ofEpochMilli(r.blockedUntil) : null, r.blockReason(),
        rules.rememberedLevel(r, now), r.totalFailures, instant(r.firstFailureAt), instant(r.lastFailureAt));
  }

  BlockPage page(long now, int offset, int limit) {
    if (offset < 0 || limit < 1) {
      throw new IllegalArgumentException("offset must be >= 0 and limit >= 1");
    }
    List<BlockEntry> all = new ArrayList<>();
    clients.forEach((k, r) -> {
      if (r.isBlocked(now)) {
        all.add(entry(BlockKind.CLIENT, k, r));
      }
    });
    ranges.forEach((k, r) -> {
      if (r.isBlocked(now)) {
        all.add(entry(BlockKind.RANGE, k, r));
      }
    });
    for (ManualBlock m : registry.manualBlocks()) {
      if (m.until().toEpochMilli() > now) {
        all.add(entry(m));
      }
    }
    all.sort(Comparator.comparing(BlockEntry::since).reversed()
        .thenComparing(b -> b.subject().toString()));
    int from = Math.min(offset, all.size());
    int to = (int) Math.min((long) from + limit, all.size());
    return new BlockPage(List.copyOf(all.subList(from, to)), offset, all.size());
  }

  static BlockEntry entry(BlockKind kind, AddressKey key, RateRecord r) {
    return new BlockEntry(key.toCidr(), kind, r.blockReason(), "", BlockEntry.AUTOMATIC_CREATOR,
        Instant.ofEpochMilli(r.lastBlockAt), Instant.ofEpochMilli(r.blockedUntil), r.blockLevel,
        r.totalFailures, instant(r.firstFailureAt), instant(r.lastFailureAt));
  }

  static BlockEntry entry(ManualBlock m) {
    return new BlockEntry(m.cidr(), BlockKind.MANUAL, BlockReason.MANUAL, m.reason(), m.createdBy(),
        m.createdAt(), m.until(), 0, 0, null, null);
  }

  private static Instant instant(long millis) {
    return millis == 0 ? null : Instant.ofEpochMilli(millis);
  }
}
