package com.timereg.gateway.blocks;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.clientip.IpLiterals;
import com.timereg.gateway.throttle.AllowEntry;
import com.timereg.gateway.throttle.BlockEntry;
import com.timereg.gateway.throttle.BlockKind;
import com.timereg.gateway.throttle.BlockReason;
import com.timereg.gateway.throttle.BlockRegistry;
import com.timereg.gateway.throttle.FailureKind;
import com.timereg.gateway.throttle.Origin;
import com.timereg.gateway.throttle.ThrottleListener;
import com.timereg.gateway.throttle.ThrottleMetrics;
import com.timereg.gateway.throttle.ThrottlePolicy;
import com.timereg.gateway.throttle.ThrottleService;
import com.timereg.gateway.throttle.ThrottleStorage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Applying snapshots and changes on one node, without a database. */
class LocalStateTest {
  static final Instant T = Instant.parse("2026-03-02T10:00:00Z");

  private final ThrottleStorage storage = ThrottleStorage.inMemory(1000, 1000);
  private final ThrottleService throttle = new ThrottleService(ThrottlePolicy.DEFAULTS,
      new ClientKeys(ClientKeyPolicy.DEFAULTS), storage.clients(), storage.ranges(), new BlockRegistry(),
      Clock.fixed(T, ZoneOffset.UTC), ThrottleMetrics.NOOP, Runnable::run);
  private final LocalState state = new LocalState(throttle, List.of(Cidr.parse("192.0.2.53/32")), T);

  @AfterEach
  void close() {
    storage.close();
  }

  @Test
  void changeHeardWhileASnapshotWasReadIsNotUndoneByIt() {
    AllowEntry office = new AllowEntry(Cidr.parse("198.51.100.0/24"), "office", "carol", T);
    long gen = state.beginReload();
    // Committed after the snapshot below was read, but heard of before it is applied.
    state.apply(new Change.Disallowed(office.cidr()), Origin.REMOTE);

    state.finishReload(gen, new Snapshot(List.of(), List.of(), List.of(office)));

    assertThat(allowed("198.51.100.7")).isFalse();
  }

  @Test
  void snapshotOfAnOlderReloadIsIgnored() {
    long older = state.beginReload();
    long newer = state.beginReload();
    AllowEntry office = new AllowEntry(Cidr.parse("198.51.100.0/24"), "office", "carol", T);

    assertThat(state.finishReload(older, new Snapshot(List.of(), List.of(), List.of(office)))).isFalse();
    assertThat(allowed("198.51.100.7")).isFalse();
    assertThat(state.finishReload(newer, new Snapshot(List.of(), List.of(), List.of(office)))).isTrue();
    assertThat(allowed("198.51.100.7")).isTrue();
  }

  @Test
  void snapshotReplacesManualBlocksAndAllowlistButKeepsConfiguredEntries() {
    state.apply(new Change.Allowed(new AllowEntry(Cidr.parse("203.0.113.0/24"), "old", "x", T)), Origin.REMOTE);
    BlockRecord manual = manualRecord("2001:db8::/32", T.plus(Duration.ofHours(1)));

    state.finishReload(state.beginReload(), new Snapshot(List.of(manual), List.of(), List.of()));

    assertThat(allowed("203.0.113.1")).as("removed while this node was deaf").isFalse();
    assertThat(allowed("192.0.2.53")).as("configured").isTrue();
    assertThat(throttle.check(IpLiterals.parse("2001:db8::1")).kind()).isEqualTo(BlockKind.MANUAL);
  }

  @Test
  void removingAConfiguredRangeFromTheTablesKeepsItAllowlisted() {
    state.apply(new Change.Disallowed(Cidr.parse("192.0.2.53/32")), Origin.REMOTE);

    assertThat(allowed("192.0.2.53")).isTrue();
  }

  @Test
  void liftMissedWhileDeafEndsTheSameBlockButNotANewerOne() {
    fail("192.0.2.10", 10); // blocked until T + 15 min
    fail("192.0.2.20", 10);
    Instant until = T.plus(Duration.ofMinutes(15));

    state.finishReload(state.beginReload(), new Snapshot(List.of(), List.of(
        new Snapshot.Lifted(Cidr.parse("192.0.2.10/32"), until),
        new Snapshot.Lifted(Cidr.parse("192.0.2.20/32"), until.minus(Duration.ofMinutes(1)))), List.of()));

    assertThat(throttle.check(IpLiterals.parse("192.0.2.10")).allowed()).as("the lifted block").isTrue();
    assertThat(throttle.check(IpLiterals.parse("192.0.2.20")).allowed()).as("a newer block").isFalse();
  }

  @Test
  void blockOfAnotherNodesKeyShapeIsSkippedWithoutStoppingTheRest() {
    BlockRecord odd = new BlockRecord(1, Cidr.parse("192.0.2.0/28"), BlockKind.CLIENT, BlockReason.CLIENT_FAILURES,
        "", 10, null, null, T, T.plus(Duration.ofMinutes(15)), 1, null, null, null, null, "other");
    BlockRecord fine = new BlockRecord(2, Cidr.parse("192.0.2.99/32"), BlockKind.CLIENT, BlockReason.CLIENT_FAILURES,
        "", 10, null, null, T, T.plus(Duration.ofMinutes(15)), 1, null, null, null, null, "other");

    state.finishReload(state.beginReload(), new Snapshot(List.of(odd, fine), List.of(), List.of()));

    assertThat(throttle.check(IpLiterals.parse("192.0.2.99")).allowed()).isFalse();
  }

  // ---- this node's own staff edits: applied once, and in commit order

  @Test
  void ownEditUndoneByALateChangeCommittedBeforeItIsRestoredByItsNotification() {
    AllowEntry partner = new AllowEntry(Cidr.parse("198.51.100.70/32"), "partner", "alice", T);
    state.applyAnswered("e-1", new Change.Disallowed(partner.cidr()));
    // Another node's addition, committed before the removal (which saw and overrode it), heard after its answer.
    state.applyRemote(new Change.Allowed(partner));
    assertThat(allowed("198.51.100.70")).as("undone by the late notification").isTrue();

    state.applyHeard("e-1", new Change.Disallowed(partner.cidr()));

    assertThat(allowed("198.51.100.70")).as("after the removal's own notification").isFalse();
  }

  @Test
  void ownEditHeardBeforeItsAnswerIsAppliedOnceAsThisNodes() {
    List<String> events = recordEvents();
    Change.Blocked block = manualBlock("203.0.113.0/24");

    state.applyHeard("e-1", block);
    state.applyAnswered("e-1", block);

    assertThat(events).containsExactly("issued 203.0.113.0/24 LOCAL");
  }

  @Test
  void ownEditsHeardAfterTheirAnswersWithNothingBetweenChangeNothingMore() {
    List<String> events = recordEvents();
    Change.Blocked block = manualBlock("203.0.113.0/24");
    Change.Unblocked unblock = new Change.Unblocked(Cidr.parse("203.0.113.0/24"), List.of(Cidr.parse("203.0.113.0/24")));

    state.applyAnswered("e-1", block);
    state.applyAnswered("e-2", unblock);
    // The block's notification after the unblock's answer must not put the block back, not even for a moment.
    state.applyHeard("e-1", block);
    state.applyHeard("e-2", unblock);

    assertThat(events).containsExactly("issued 203.0.113.0/24 LOCAL", "lifted 203.0.113.0/24 LOCAL");
    assertThat(throttle.check(IpLiterals.parse("203.0.113.5")).allowed()).isTrue();
  }

  @Test
  void ownEditNotifiedAsAResyncIsAppliedAtItsAnswer() {
    state.applyHeard("e-1", new Change.Resync());
    state.applyAnswered("e-1", new Change.Allowed(new AllowEntry(Cidr.parse("198.51.100.0/24"), "office", "x", T)));

    assertThat(allowed("198.51.100.7")).isTrue();
  }

  private Change.Blocked manualBlock(String cidr) {
    return new Change.Blocked(new BlockEntry(Cidr.parse(cidr), BlockKind.MANUAL, BlockReason.MANUAL, "scanner",
        "bob", T, T.plus(Duration.ofHours(1)), 0, 0, null, null));
  }

  private List<String> recordEvents() {
    List<String> events = new ArrayList<>();
    throttle.addListener(new ThrottleListener() {
      @Override
      public void blockIssued(BlockEntry block, Origin origin) {
        events.add("issued " + block.subject() + " " + origin);
      }

      @Override
      public void blockLifted(Cidr subject, BlockKind kind, Origin origin) {
        events.add("lifted " + subject + " " + origin);
      }
    });
    return events;
  }

  private BlockRecord manualRecord(String cidr, Instant until) {
    return new BlockRecord(7, Cidr.parse(cidr), BlockKind.MANUAL, BlockReason.MANUAL, "abuse", 0, null, null,
        T, until, 0, "alice", null, null, null, "other");
  }

  private void fail(String address, int times) {
    for (int i = 0; i < times; i++) {
      throttle.recordFailure(IpLiterals.parse(address), "someone", FailureKind.WRONG_PASSWORD);
    }
  }

  private boolean allowed(String address) {
    return throttle.registry().allowFor(IpLiterals.parse(address)) != null;
  }
}
