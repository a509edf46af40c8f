package com.timereg.gateway.blocks;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.throttle.AllowEntry;
import com.timereg.gateway.throttle.BlockEntry;
import com.timereg.gateway.throttle.BlockKind;
import com.timereg.gateway.throttle.Explanation;
import com.timereg.gateway.throttle.KeyState;
import com.timereg.gateway.throttle.ManualBlock;
import com.timereg.gateway.throttle.Origin;
import com.timereg.gateway.throttle.ThrottleService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies committed changes and table snapshots to this node's throttle. Every operation is
 * idempotent, so a change that arrives twice (by notification and again in a snapshot) is harmless.
 *
 * <p>A snapshot is read while notifications keep arriving. A change committed after the snapshot
 * was read but applied before it would be undone by it (an allowlist entry removed, then put back
 * by the stale snapshot). So changes applied while a reload is in flight are also remembered and
 * applied once more right after the snapshot.
 *
 * <p>This node's own staff edits ({@link #applyAnswered}, {@link #applyHeard}) are applied once, at the commit's
 * answer or at their own notification, whichever comes first, and their notification puts the edit back in its place
 * in commit order when something was heard since it was applied: the notifications of other nodes come on the
 * listener, a separate connection, so a change committed before the edit (which the edit saw and overrode) can be
 * heard after its answer, and would undo it here until the next reload ({@code LateNotificationTest}).
 */
final class LocalState {
  private static final Logger LOG = LoggerFactory.getLogger(LocalState.class);
  /** Beyond this, a reload that keeps failing stops remembering and the next one starts afresh. */
  static final int MAX_REMEMBERED = 10_000;
  /**
   * Own edits kept waiting for their notification (or their answer). One whose other half never comes (the listener
   * was down, the answer was lost) is forgotten once this many newer ones came: staff edits are made by hand.
   */
  static final int MAX_OWN_EDITS = 1_000;

  private final ThrottleService throttle;
  private final List<AllowEntry> configuredAllowlist;
  private final List<Change> remembered = new ArrayList<>();
  private long generation;
  private boolean reloading;
  /** Counts what was applied from the feed (or a snapshot): changes that may have undone an own edit applied before. */
  private long heard;
  /** Own edits applied at their answer, their notification not heard yet: the change, and {@link #heard} then. */
  private final Map<String, Answered> answered = bounded();
  /** Own edits heard (and applied, unless their notification was a resync) before their answer: whether applied. */
  private final Map<String, Boolean> heardFirst = bounded();

  private record Answered(Change change, long heardBefore) {}

  LocalState(ThrottleService throttle, List<Cidr> configuredAllowlist, Instant startedAt) {
    this.throttle = throttle;
    this.configuredAllowlist = configuredAllowlist.stream()
        .map(c -> new AllowEntry(c, "from configuration", "configuration", startedAt)).toList();
  }

  /** Applies a committed change: decided here ({@link Origin#LOCAL}) or heard of ({@link Origin#REMOTE}). */
  synchronized void apply(Change change, Origin origin) {
    if (reloading && remembered.size() < MAX_REMEMBERED) {
      remembered.add(change);
    }
    applyNow(change, origin);
  }

  /** Applies a change committed by another node, heard of on the feed. */
  synchronized void applyRemote(Change change) {
    heard++;
    apply(change, Origin.REMOTE);
  }

  /** Applies this node's own staff edit {@code edit} at its commit's answer, unless its notification applied it. */
  synchronized void applyAnswered(String edit, Change change) {
    Boolean applied = heardFirst.remove(edit);
    if (Boolean.TRUE.equals(applied)) {
      return;
    }
    if (applied == null) {
      answered.put(edit, new Answered(change, heard));
    }
    apply(change, Origin.LOCAL);
  }

  /**
   * This node's own staff edit {@code edit} is heard of on the feed, in commit order. Applied at its answer already,
   * it is applied again if anything was heard since, which may have undone it (idempotent: no event unless so);
   * else it is applied now, and its answer will not. A resync (an edit too large to notify) cannot be applied from
   * here: its answer applies it.
   */
  synchronized void applyHeard(String edit, Change change) {
    Answered a = answered.remove(edit);
    if (a != null) {
      if (a.heardBefore() != heard) {
        heard++;
        apply(a.change(), Origin.REMOTE);
      }
      return;
    }
    boolean applicable = !(change instanceof Change.Resync);
    heardFirst.put(edit, applicable);
    if (applicable) {
      apply(change, Origin.LOCAL);
    }
  }

  /**
   * One bad entry (say, a client block of another node configured with other prefix lengths) must
   * not stop the rest of a snapshot from applying.
   */
  private static void safely(Runnable step, Cidr subject) {
    try {
      step.run();
    } catch (RuntimeException e) {
      LOG.warn("Could not apply the shared block state of {} on this node: {}", subject, e.getMessage());
    }
  }

  /** A reload is starting; returns its generation, which {@link #finishReload} must present. */
  synchronized long beginReload() {
    reloading = true;
    return ++generation;
  }

  /** Applies the snapshot of reload {@code gen}, unless a newer reload started meanwhile. */
  synchronized boolean finishReload(long gen, Snapshot snapshot) {
    if (gen != generation) {
      return false;
    }
    List<ManualBlock> manual = new ArrayList<>();
    for (BlockRecord b : snapshot.active()) {
      if (b.kind() == BlockKind.MANUAL) {
        manual.add(manualBlock(b.toEntry()));
      } else {
        safely(() -> throttle.applyRemoteBlock(b.toEntry()), b.cidr());
      }
    }
    // replaceAll fires no events; the throttle's own gauges read the registry live.
    throttle.registry().replaceAll(latestPerCidr(manual), withConfigured(snapshot.allowlist()));
    for (Snapshot.Lifted l : snapshot.lifted()) {
      safely(() -> liftIfNotNewer(l.cidr(), l.expiresAt()), l.cidr());
    }
    for (Change c : remembered) {
      safely(() -> applyNow(c, Origin.REMOTE), null);
    }
    remembered.clear();
    reloading = false;
    heard++;
    return true;
  }

  /** Ends this node's copy of an automatic block whose row was never written and that an unblock lifted since. */
  synchronized void liftUnwritten(BlockEntry block) {
    safely(() -> liftIfNotNewer(block.subject(), block.until()), block.subject());
  }

  /** A reload failed: stop remembering; changes keep being applied as they come. */
  synchronized void abandonReload(long gen) {
    if (gen == generation) {
      remembered.clear();
      reloading = false;
    }
  }

  private void applyNow(Change change, Origin origin) {
    if (change instanceof Change.Blocked b) {
      applyBlock(b.block(), origin);
    } else if (change instanceof Change.Unblocked u) {
      throttle.liftBlock(u.target(), origin);
      Cidr client = clientBlockOf(u.target());
      if (client != null && !client.equals(u.target())) {
        // An IPv6 address's block is its /64: lifted here too, in case its row could not be written.
        throttle.liftBlock(client, origin);
      }
      u.lifted().forEach(c -> throttle.liftBlock(c, origin));
    } else if (change instanceof Change.Allowed a) {
      throttle.registry().putAllow(a.entry());
    } else if (change instanceof Change.Disallowed d) {
      throttle.registry().removeAllow(d.cidr());
      configuredAllowlist.stream().filter(e -> e.cidr().equals(d.cidr())).forEach(throttle.registry()::putAllow);
    }
  }

  /** The client key (this node's prefix lengths) of a single address; null for a range. */
  private Cidr clientBlockOf(Cidr target) {
    if (target.prefixLength() != (target.isIpv4() ? 32 : 128)) {
      return null;
    }
    return throttle.explain(target.network()).client().subject();
  }

  private void applyBlock(BlockEntry block, Origin origin) {
    if (block.kind() == BlockKind.MANUAL && origin == Origin.LOCAL) {
      throttle.addManualBlock(manualBlock(block), Origin.LOCAL);
    } else {
      // Automatic blocks decided here are already in the store; applying them again changes nothing.
      throttle.applyRemoteBlock(block);
    }
  }

  /**
   * Ends this node's copy of a block lifted elsewhere, unless the node holds a newer block of the
   * same subject (one that ends later), which the lift did not concern. Escalation makes a newer
   * automatic block of a subject always end later than an older one.
   */
  private void liftIfNotNewer(Cidr cidr, Instant liftedExpiry) {
    Explanation e = throttle.explain(cidr.network());
    KeyState state = cidr.equals(e.client().subject()) ? e.client() : cidr.equals(e.range().subject()) ? e.range() : null;
    if (state != null && state.blockedUntil() != null && !state.blockedUntil().isAfter(liftedExpiry)) {
      throttle.liftBlock(cidr, Origin.REMOTE);
    }
  }

  private static <V> Map<String, V> bounded() {
    return new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX_OWN_EDITS;
      }
    };
  }

  private List<AllowEntry> withConfigured(List<AllowEntry> fromTables) {
    Map<Cidr, AllowEntry> all = new LinkedHashMap<>();
    configuredAllowlist.forEach(e -> all.put(e.cidr(), e));
    fromTables.forEach(e -> all.put(e.cidr(), e));
    return List.copyOf(all.values());
  }

  /** Rows come oldest first; should two admins have raced, the newest manual block of a range wins. */
  private static List<ManualBlock> latestPerCidr(List<ManualBlock> oldestFirst) {
    Map<Cidr, ManualBlock> latest = new LinkedHashMap<>();
    oldestFirst.forEach(m -> latest.put(m.cidr(), m));
    return List.copyOf(latest.values());
  }

  static ManualBlock manualBlock(BlockEntry b) {
    return new ManualBlock(b.subject(), b.until(), b.note(), b.createdBy(), b.since());
  }
}
