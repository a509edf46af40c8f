package com.timereg.gateway.throttle;

import com.timereg.gateway.testsupport.ManualClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.clientip.IpLiterals;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The behaviour every store must give the throttle; one subclass per {@link ThrottleStore}. */
abstract class ThrottleServiceContract {
  /** Aligned to every window length used here, so window arithmetic in tests stays readable. */
  static final Instant START = Instant.parse("2026-01-05T08:00:00Z");

  ManualClock clock;
  ThrottleStorage storage;
  ThrottleService service;
  final List<String> events = new ArrayList<>();

  /** A fresh, empty storage with these capacities. */
  abstract ThrottleStorage newStorage(long clientEntries, long rangeEntries) throws Exception;

  @BeforeEach
  void setUp() throws Exception {
    clock = new ManualClock(START);
    start(ThrottlePolicy.DEFAULTS, 10_000, 10_000);
  }

  @AfterEach
  void tearDown() {
    storage.close();
  }

  void start(ThrottlePolicy policy, long clientEntries, long rangeEntries) throws Exception {
    if (storage != null) {
      storage.close();
    }
    storage = newStorage(clientEntries, rangeEntries);
    service = new ThrottleService(policy, new ClientKeys(ClientKeyPolicy.DEFAULTS), storage.clients(),
        storage.ranges(), new BlockRegistry(), clock, ThrottleMetrics.NOOP, Runnable::run);
    service.addListener(new ThrottleListener() {
      @Override
      public void blockIssued(BlockEntry block, Origin origin) {
        events.add("issued " + block.kind() + " " + block.subject() + " " + origin);
      }

      @Override
      public void blockLifted(Cidr subject, BlockKind kind, Origin origin) {
        events.add("lifted " + kind + " " + subject + " " + origin);
      }
    });
  }

  static InetAddress ip(String literal) {
    return IpLiterals.parse(literal);
  }

  FailureResult fail(String address, int times) {
    FailureResult last = null;
    for (int i = 0; i < times; i++) {
      last = service.recordFailure(ip(address), "user" + i, FailureKind.WRONG_PASSWORD);
    }
    return last;
  }

  Duration blockLengthAfter(String address, int failures) {
    fail(address, failures);
    Decision d = service.check(ip(address));
    assertThat(d.allowed()).as("blocked after %d failures", failures).isFalse();
    return Duration.ofMillis(d.untilMillis() - clock.millis());
  }

  // ---- client limits and escalation

  @Test
  void blocksAnAddressForFifteenMinutesAtItsTenthInvalidLogin() {
    assertThat(fail("192.0.2.10", 9).blockIssued()).isFalse();
    assertThat(service.check(ip("192.0.2.10")).allowed()).isTrue();

    FailureResult tenth = fail("192.0.2.10", 1);

    assertThat(tenth.blockIssued()).isTrue();
    assertThat(tenth.issued()).singleElement().satisfies(b -> {
      assertThat(b.kind()).isEqualTo(BlockKind.CLIENT);
      assertThat(b.subject()).isEqualTo(Cidr.parse("192.0.2.10/32"));
      assertThat(b.reason()).isEqualTo(BlockReason.CLIENT_FAILURES);
      assertThat(b.level()).isEqualTo(1);
      assertThat(b.failures()).isEqualTo(10);
    });
    Decision d = service.check(ip("192.0.2.10"));
    assertThat(d.allowed()).isFalse();
    assertThat(d.kind()).isEqualTo(BlockKind.CLIENT);
    assertThat(d.retryAfterSeconds()).isEqualTo(15 * 60);
    assertThat(service.check(ip("192.0.2.11")).allowed()).as("a neighbour").isTrue();
    assertThat(events).containsExactly("issued CLIENT 192.0.2.10/32 LOCAL");
  }

  @Test
  void blockEndsByItselfAndCountingStartsAfresh() {
    fail("192.0.2.10", 10);
    clock.advance(Duration.ofMinutes(15));

    assertThat(service.check(ip("192.0.2.10")).allowed()).isTrue();
    assertThat(fail("192.0.2.10", 9).blockIssued()).isFalse();
  }

  @Test
  void failuresSpreadWiderThanTheWindowDoNotBlock() {
    for (int i = 0; i < 30; i++) {
      fail("192.0.2.10", 1);
      clock.advance(Duration.ofMinutes(2)); // 5 per 10 minutes, forever
    }
    assertThat(service.check(ip("192.0.2.10")).allowed()).isTrue();
  }

  @Test
  void slidingWindowCatchesBurstsAcrossAWindowBoundary() {
    clock.advance(Duration.ofMinutes(9));
    fail("192.0.2.10", 6);
    clock.advance(Duration.ofMinutes(2)); // into the next fixed window
    assertThat(fail("192.0.2.10", 5).blockIssued()).isTrue();
  }

  @Test
  void repeatBlocksEscalateFourfoldAndAreCappedAtTwentyFourHours() {
    List<Duration> lengths = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Duration length = blockLengthAfter("192.0.2.10", 10);
      lengths.add(length);
      clock.advance(length);
    }
    assertThat(lengths).containsExactly(Duration.ofMinutes(15), Duration.ofMinutes(60), Duration.ofMinutes(240),
        Duration.ofMinutes(960), Duration.ofHours(24), Duration.ofHours(24));
  }

  @Test
  void escalationIsForgottenAfterSevenCleanDays() {
    clock.advance(blockLengthAfter("192.0.2.10", 10));
    clock.advance(blockLengthAfter("192.0.2.10", 10)); // 60 min, level 2
    clock.advance(Duration.ofDays(6));
    Duration third = blockLengthAfter("192.0.2.10", 10);
    assertThat(third).isEqualTo(Duration.ofMinutes(240));

    clock.advance(third.plus(Duration.ofDays(7)));
    assertThat(blockLengthAfter("192.0.2.10", 10)).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void ipv6ClientsAreCountedPerSlash64() {
    for (int i = 1; i <= 10; i++) {
      service.recordFailure(ip("2001:db8:1:2::" + Integer.toHexString(i)), "x", FailureKind.UNKNOWN_USER);
    }
    assertThat(service.check(ip("2001:db8:1:2:ffff::1")).kind()).isEqualTo(BlockKind.CLIENT);
    assertThat(service.check(ip("2001:db8:1:3::1")).allowed()).isTrue();
  }

  // ---- ranges

  @Test
  void blocksRangeAfterFiveAddressesInItAreBlocked() {
    for (int i = 1; i <= 4; i++) {
      fail("198.51.100." + i, 10);
      clock.advance(Duration.ofMinutes(5));
    }
    assertThat(service.check(ip("198.51.100.200")).allowed()).isTrue();

    FailureResult fifth = fail("198.51.100.5", 10);

    assertThat(fifth.issued()).extracting(BlockEntry::kind).containsExactly(BlockKind.CLIENT, BlockKind.RANGE);
    assertThat(fifth.issued().get(1).reason()).isEqualTo(BlockReason.RANGE_BLOCKED_CLIENTS);
    Decision d = service.check(ip("198.51.100.200"));
    assertThat(d.kind()).isEqualTo(BlockKind.RANGE);
    assertThat(d.subject()).isEqualTo(Cidr.parse("198.51.100.0/24"));
    assertThat(service.check(ip("198.51.101.1")).allowed()).isTrue();
  }

  @Test
  void theSameAddressBlockedTwiceCountsOnceTowardsItsRange() {
    for (int round = 0; round < 5; round++) {
      clock.advance(blockLengthAfter("198.51.100.1", 10));
    }
    assertThat(service.check(ip("198.51.100.200")).allowed()).isTrue();
  }

  @Test
  void blocksRangeAtFiftyInvalidLoginsFromManyAddresses() {
    for (int i = 1; i <= 49; i++) {
      assertThat(fail("198.51.100." + i, 1).blockIssued()).isFalse();
    }
    FailureResult fiftieth = fail("198.51.100.50", 1);
    assertThat(fiftieth.issued()).singleElement().satisfies(b -> {
      assertThat(b.kind()).isEqualTo(BlockKind.RANGE);
      assertThat(b.reason()).isEqualTo(BlockReason.RANGE_FAILURES);
    });
    assertThat(service.check(ip("198.51.100.77")).kind()).isEqualTo(BlockKind.RANGE);
  }

  @Test
  void rangeBlocksEscalateLikeClientBlocks() {
    List<Long> lengths = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (int i = 1; i <= 50; i++) {
        fail("198.51.100." + (round * 50 + i), 1);
      }
      Decision d = service.check(ip("198.51.100.254"));
      lengths.add((d.untilMillis() - clock.millis()) / 60_000);
      clock.advance(Duration.ofMillis(d.untilMillis() - clock.millis()));
    }
    assertThat(lengths).containsExactly(15L, 60L, 240L);
  }

  // ---- surge

  @Test
  void surgeHalvesLimitsWhileTheWaveLastsAndEndsWithHysteresis() {
    for (int i = 0; i < 100; i++) {
      fail("203.0." + (i / 40) + "." + (i % 40 + 1), 1); // 100 failures spread thin
    }
    assertThat(service.surgeState().active()).isTrue();
    assertThat(service.explain(ip("192.0.2.10")).client().failureLimit()).isEqualTo(5);
    assertThat(fail("192.0.2.10", 5).blockIssued()).isTrue();

    clock.advance(Duration.ofSeconds(90)); // rate estimate ~52/min: above 50, stays on
    assertThat(service.surgeState().active()).isTrue();

    clock.advance(Duration.ofSeconds(60)); // nothing in the last minute
    assertThat(service.surgeState().active()).isFalse();
    assertThat(service.explain(ip("192.0.2.20")).client().failureLimit()).isEqualTo(10);
    assertThat(fail("192.0.2.20", 9).blockIssued()).isFalse();
  }

  @Test
  void surgeDoesNotStartBelowItsRate() {
    for (int i = 0; i < 99; i++) {
      fail("203.0." + (i / 40) + "." + (i % 40 + 1), 1);
    }
    assertThat(service.surgeState().active()).isFalse();
    assertThat(service.surgeState().failuresPerMinute()).isEqualTo(99.0);
  }

  // ---- a clock stepping back (NTP, a resumed VM): counts are kept, never reset

  /** 9 failures just after a window boundary, then the clock steps back a second into the previous window. */
  @Test
  void aClockSteppingBackAcrossAWindowBoundaryKeepsTheClientsFailures() {
    clock.advance(Duration.ofMinutes(10).plusMillis(500));
    assertThat(fail("192.0.2.10", 9).blockIssued()).isFalse();
    clock.advance(Duration.ofSeconds(-1));

    assertThat(service.explain(ip("192.0.2.10")).client().failuresInWindow()).isEqualTo(9.0);
    assertThat(fail("192.0.2.10", 1).blockIssued()).as("the tenth failure within a second").isTrue();
  }

  /**
   * A clock that ran far ahead (a day) and is put right starts counting afresh: failures kept in a window that
   * lies a day ahead would otherwise never decay until the clock caught up, and an office's typos would add up
   * to a block.
   */
  @Test
  void aClockPutBackByMoreThanAWindowCountsAfreshRatherThanKeepingFailuresForADay() {
    clock.advance(Duration.ofDays(1));
    assertThat(fail("192.0.2.11", 9).blockIssued()).isFalse();
    clock.advance(Duration.ofDays(-1));

    assertThat(service.explain(ip("192.0.2.11")).client().failuresInWindow()).isZero();
    assertThat(fail("192.0.2.11", 1).blockIssued()).isFalse();
  }

  /**
   * A block issued while the clock ran a day ahead, then put right, lasts its own 15 minutes from the correction,
   * not a day and 15 minutes: its end, kept as the clock read it then, lay a day ahead of every later reading.
   * The same holds for a block another node issued by a clock a day ahead.
   */
  @Test
  void aBlockIssuedByAClockThatRanADayAheadLastsItsOwnLengthOnceTheClockIsPutRight() {
    clock.advance(Duration.ofDays(1));
    assertThat(fail("192.0.2.12", 10).blockIssued()).isTrue();
    clock.advance(Duration.ofDays(-1));

    Decision d = service.check(ip("192.0.2.12"));
    assertThat(d.allowed()).isFalse();
    assertThat(d.retryAfterSeconds()).as("Retry-After").isEqualTo(15 * 60);
    clock.advance(Duration.ofMinutes(15));
    assertThat(service.check(ip("192.0.2.12")).allowed()).as("15 minutes after the clock was put right").isTrue();
    assertThat(fail("192.0.2.12", 9).blockIssued()).isFalse();

    Instant ahead = clock.instant().plus(Duration.ofDays(1));
    BlockEntry remote = new BlockEntry(Cidr.parse("192.0.2.13/32"), BlockKind.CLIENT, BlockReason.CLIENT_FAILURES,
        "", "gateway", ahead, ahead.plus(Duration.ofMinutes(60)), 2, 10, ahead, ahead);
    assertThat(service.applyRemoteBlock(remote)).isTrue();
    assertThat(service.check(ip("192.0.2.13")).retryAfterSeconds()).as("another node's block").isEqualTo(3600);

    // A key no request reads again is put right by maintenance, for the admin list and the escalation memory.
    clock.advance(Duration.ofDays(1));
    fail("192.0.2.14", 10);
    clock.advance(Duration.ofDays(-1));
    service.maintain();
    assertThat(service.activeBlocks(0, 10).items()).filteredOn(b -> b.subject().equals(Cidr.parse("192.0.2.14/32")))
        .singleElement().satisfies(b -> assertThat(b.until()).isEqualTo(clock.instant().plus(Duration.ofMinutes(15))));
  }

  @Test
  void aClockSteppingBackAcrossAWindowBoundaryKeepsTheRangesFailures() {
    clock.advance(Duration.ofMinutes(10).plusMillis(500));
    for (int i = 1; i <= 49; i++) {
      fail("198.51.100." + i, 1);
    }
    clock.advance(Duration.ofSeconds(-1));

    assertThat(fail("198.51.100.200", 1).issued()).extracting(BlockEntry::kind).containsExactly(BlockKind.RANGE);
  }

  @Test
  void aClockSteppingBackAcrossAnHourKeepsTheRangesBlockedClients() throws Exception {
    ThrottlePolicy d = ThrottlePolicy.DEFAULTS;
    // A range failure limit out of reach: only the blocked clients can block the range here.
    start(new ThrottlePolicy(d.window(), d.ipFailureLimit(), 1000, d.rangeBlockedClientLimit(),
        d.rangeBlockedClientWindow(), d.firstBlock(), d.escalationFactor(), d.maxBlock(), d.escalationMemory(),
        d.surgeFailuresPerMinute(), d.surgeExitRatio(), d.surgeMinDuration(), d.surgeLimitFactor(), d.successMemory(),
        d.successHeadroomFactor(), d.accountFreeFailures(), d.accountBaseDelay(), d.accountMaxDelay(),
        d.accountQuietPeriod(), d.accountCapacity(), d.degradeFillRatio(),
        d.successHeadroomPerUser(), d.maxSuccessHeadroomFactor(), d.successPeopleCapacity()), 10_000, 10_000);
    clock.advance(Duration.ofHours(1).plusMillis(500));
    for (int i = 1; i <= 4; i++) {
      fail("198.51.100." + i, 10);
    }
    clock.advance(Duration.ofSeconds(-1));

    assertThat(fail("198.51.100.5", 10).issued()).extracting(BlockEntry::kind, BlockEntry::reason)
        .containsExactly(tuple(BlockKind.CLIENT, BlockReason.CLIENT_FAILURES),
            tuple(BlockKind.RANGE, BlockReason.RANGE_BLOCKED_CLIENTS));
  }

  @Test
  void aClockSteppingBackAcrossAMinuteKeepsTheSurgeRate() {
    clock.advance(Duration.ofMillis(500));
    for (int i = 0; i < 99; i++) {
      fail("203.0." + (i / 40) + "." + (i % 40 + 1), 1);
    }
    clock.advance(Duration.ofSeconds(-1));
    fail("203.0.9.9", 1);

    assertThat(service.surgeState().active()).as("100 invalid logins within a second").isTrue();
  }

  // ---- success headroom (office NAT guard)

  @Test
  void recentSuccessDoublesTheLimitForTheAddressButNoFurther() {
    // One person signing in again and again: further successes of the same name buy nothing more.
    service.recordSuccess(ip("192.0.2.10"), "alice");
    service.recordSuccess(ip("192.0.2.10"), "Alice");
    service.recordSuccess(ip("192.0.2.10"), "alice");

    assertThat(fail("192.0.2.10", 19).blockIssued()).isFalse();
    assertThat(fail("192.0.2.10", 1).blockIssued()).isTrue();
  }

  /**
   * A success resets no failure count, neither its own address's nor another's: an attacker who signs in with
   * their own account between guesses, from the guessing address or a neighbour, is blocked within the doubled
   * limit, and the neighbour's successes give the guessing address no headroom of its own.
   */
  @Test
  void successesBetweenGuessesResetNoCountOfTheirOwnAddressNorOfANeighbour() {
    for (int i = 0; i < 19; i++) {
      assertThat(fail("192.0.2.10", 1).blockIssued()).as("guess %d", i + 1).isFalse();
      service.recordSuccess(ip("192.0.2.10"), "mallory");
    }
    assertThat(fail("192.0.2.10", 1).blockIssued()).as("the 20th guess").isTrue();

    for (int i = 0; i < 9; i++) {
      assertThat(fail("192.0.2.20", 1).blockIssued()).isFalse();
      service.recordSuccess(ip("192.0.2.21"), "mallory");
    }
    assertThat(fail("192.0.2.20", 1).blockIssued()).as("the 10th guess, a neighbour signing in between").isTrue();
  }

  @Test
  void officeRangeWithRecentSuccessToleratesTwiceTheRangeFailures() {
    service.recordSuccess(ip("198.51.100.7"), "alice");
    for (int i = 1; i <= 99; i++) {
      assertThat(fail("198.51.100." + (i % 90 + 1), 1).issued()).noneMatch(b -> b.kind() == BlockKind.RANGE);
    }
    assertThat(fail("198.51.100.91", 1).issued()).anyMatch(b -> b.kind() == BlockKind.RANGE);
  }

  @Test
  void successHeadroomLapsesAfterADay() {
    service.recordSuccess(ip("192.0.2.10"), "alice");
    clock.advance(Duration.ofHours(24));
    assertThat(fail("192.0.2.10", 10).blockIssued()).isTrue();
  }

  /**
   * A success recorded while the clock ran a day ahead gave its address headroom until a day after that
   * clock's reading, i.e. for two days once the clock was put right. Found ahead of the clock, by the key's next
   * failure or by maintenance, it is taken as made then: headroom for a day from the correction, no longer.
   */
  @Test
  void aSuccessRecordedWhileTheClockRanADayAheadGivesHeadroomForADayFromTheCorrectionOnly() {
    clock.advance(Duration.ofDays(1));
    service.recordSuccess(ip("192.0.2.10"), "alice");
    service.recordSuccess(ip("192.0.2.11"), "bob");
    clock.advance(Duration.ofDays(-1));

    // 192.0.2.10: its next failure finds the success ahead; 192.0.2.11: no request, the maintenance pass does.
    fail("192.0.2.10", 1);
    service.maintain();
    assertThat(service.explain(ip("192.0.2.11")).client().successHeadroom()).as("right after the correction").isTrue();
    clock.advance(Duration.ofHours(25));

    assertThat(service.explain(ip("192.0.2.10")).client().failureLimit()).as("limit a day after").isEqualTo(10);
    assertThat(fail("192.0.2.10", 10).blockIssued()).isTrue();
    assertThat(service.explain(ip("192.0.2.11")).client().successHeadroom()).as("headroom a day after").isFalse();
    assertThat(fail("192.0.2.11", 10).blockIssued()).isTrue();
  }

  @Test
  void surgeStillTightensAnAddressWithHeadroom() {
    service.recordSuccess(ip("192.0.2.10"), "alice");
    for (int i = 0; i < 100; i++) {
      fail("203.0." + (i / 40) + "." + (i % 40 + 1), 1);
    }
    assertThat(service.explain(ip("192.0.2.10")).client().failureLimit()).isEqualTo(10);
  }

  // ---- headroom by distinct people (an office behind one NAT)

  /** {@code n} distinct people sign in from {@code address}. */
  void peopleSignIn(String address, int n) {
    for (int i = 1; i <= n; i++) {
      service.recordSuccess(ip(address), "person-" + i + "@acme.test");
    }
  }

  @Test
  void eachFurtherPersonWhoSignedInGivesTheAddressTwoMoreFailures() {
    peopleSignIn("192.0.2.10", 12);
    KeyState state = service.explain(ip("192.0.2.10")).client();
    // A linear-counting estimate of twelve names in 128 bits: within a couple of the truth.
    assertThat(state.recentPeople()).isBetween(10, 14);
    assertThat(state.failureLimit()).isEqualTo(20 + 2 * (state.recentPeople() - 1));

    assertThat(fail("192.0.2.10", state.failureLimit() - 1).blockIssued()).isFalse();
    assertThat(fail("192.0.2.10", 1).blockIssued()).isTrue();
  }

  @Test
  void whatDistinctPeopleAddIsCappedAtEightTimesTheLimit() {
    peopleSignIn("192.0.2.10", 60);
    assertThat(service.explain(ip("192.0.2.10")).client().recentPeople()).isGreaterThan(36);
    assertThat(service.explain(ip("192.0.2.10")).client().failureLimit()).isEqualTo(80);
    assertThat(fail("192.0.2.10", 79).blockIssued()).isFalse();
    assertThat(fail("192.0.2.10", 1).blockIssued()).isTrue();
  }

  @Test
  void oneAccountSigningInAHundredTimesInAnySpellingCountsOnce() {
    for (int i = 0; i < 100; i++) {
      service.recordSuccess(ip("192.0.2.10"), i % 3 == 0 ? "Alice@acme.test" : i % 3 == 1 ? " alice@ACME.test" : "alice@acme.test");
    }
    assertThat(service.explain(ip("192.0.2.10")).client().recentPeople()).isEqualTo(1);
    assertThat(fail("192.0.2.10", 19).blockIssued()).isFalse();
    assertThat(fail("192.0.2.10", 1).blockIssued()).as("x2, as before").isTrue();
  }

  @Test
  void failuresAndUnknownNamesNeverCountAsPeople() {
    for (int i = 0; i < 9; i++) {
      service.recordFailure(ip("192.0.2.10"), "person-" + i + "@acme.test", FailureKind.WRONG_PASSWORD);
      service.recordFailure(ip("192.0.2.10"), "nobody-" + i, FailureKind.UNKNOWN_USER);
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(service.explain(ip("192.0.2.10")).client().recentPeople()).isZero();
    service.recordSuccess(ip("192.0.2.10"), "carol");
    assertThat(service.explain(ip("192.0.2.10")).client().recentPeople()).isEqualTo(1);
    assertThat(service.explain(ip("192.0.2.10")).client().failureLimit()).isEqualTo(20);
  }

  @Test
  void surgeHalvesTheLimitDistinctPeopleRaised() {
    peopleSignIn("192.0.2.10", 60);
    for (int i = 0; i < 100; i++) {
      fail("203.0." + (i / 40) + "." + (i % 40 + 1), 1);
    }
    assertThat(service.explain(ip("192.0.2.10")).client().failureLimit()).isEqualTo(40);
  }

  @Test
  void distinctPeopleRaiseTheirRangesLimitToo() {
    for (int i = 1; i <= 30; i++) {
      service.recordSuccess(ip("198.51.100." + i), "person-" + i + "@acme.test");
    }
    KeyState range = service.explain(ip("198.51.100.200")).range();
    assertThat(range.recentPeople()).isBetween(27, 33);
    assertThat(range.failureLimit()).isEqualTo(100 + 2 * (range.recentPeople() - 1));
    KeyState client = service.explain(ip("198.51.100.200")).client();
    assertThat(client.recentPeople()).as("no one signed in from this address").isZero();
    assertThat(client.failureLimit()).isEqualTo(10);
  }

  @Test
  void peopleAreForgottenWithinTheSuccessMemory() {
    // Counted in half-day windows (00:00 and 12:00 UTC): a person counts for 12 to 24 hours after signing in.
    peopleSignIn("192.0.2.10", 30);
    clock.advance(Duration.ofHours(15));
    peopleSignIn("192.0.2.10", 1);
    KeyState later = service.explain(ip("192.0.2.10")).client();
    assertThat(later.recentPeople()).as("at 23:00, the 30 of 08:00 still count").isGreaterThan(20);
    clock.advance(Duration.ofHours(1));
    KeyState nextDay = service.explain(ip("192.0.2.10")).client();
    assertThat(nextDay.recentPeople()).as("at midnight only the one who signed in at 23:00 counts").isEqualTo(1);
    assertThat(nextDay.failureLimit()).isEqualTo(20);
  }

  @Test
  void withoutPerUserAllowanceTheHeadroomStaysTwofold() throws Exception {
    ThrottlePolicy d = ThrottlePolicy.DEFAULTS;
    start(new ThrottlePolicy(d.window(), d.ipFailureLimit(), d.rangeFailureLimit(), d.rangeBlockedClientLimit(),
        d.rangeBlockedClientWindow(), d.firstBlock(), d.escalationFactor(), d.maxBlock(), d.escalationMemory(),
        d.surgeFailuresPerMinute(), d.surgeExitRatio(), d.surgeMinDuration(), d.surgeLimitFactor(), d.successMemory(),
        d.successHeadroomFactor(), d.accountFreeFailures(), d.accountBaseDelay(), d.accountMaxDelay(),
        d.accountQuietPeriod(), d.accountCapacity(), d.degradeFillRatio(), 0, d.maxSuccessHeadroomFactor(),
        d.successPeopleCapacity()), 10_000, 10_000);
    peopleSignIn("192.0.2.10", 30);
    assertThat(service.explain(ip("192.0.2.10")).client().failureLimit()).isEqualTo(20);
  }

  @Test
  void verificationsInFlightCountTowardsTheAddressLimit() {
    fail("192.0.2.10", 8);
    assertThat(service.admitVerification(ip("192.0.2.10")).admitted()).isTrue();
    assertThat(service.admitVerification(ip("192.0.2.10")).admitted()).isTrue();
    assertThat(service.admitVerification(ip("192.0.2.10")).mustWait())
        .as("8 failures counted and 2 verifications in flight take up the limit of 10").isTrue();
    assertThat(service.admitVerification(ip("192.0.2.11")).admitted()).as("a neighbour").isTrue();

    service.recordFailure(ip("192.0.2.10"), "x", FailureKind.WRONG_PASSWORD);
    service.verificationEnded(ip("192.0.2.10"));
    assertThat(service.admitVerification(ip("192.0.2.10")).mustWait()).as("9 counted, 1 in flight").isTrue();
    assertThat(service.recordFailure(ip("192.0.2.10"), "x", FailureKind.WRONG_PASSWORD).blockIssued()).isTrue();
    service.verificationEnded(ip("192.0.2.10"));
    ThrottleService.Admission after = service.admitVerification(ip("192.0.2.10"));
    assertThat(after.admitted()).isFalse();
    assertThat(after.blocked().kind()).isEqualTo(BlockKind.CLIENT);

    service.registry().putAllow(new AllowEntry(Cidr.parse("192.0.2.12"), "office", "admin", START));
    for (int i = 0; i < 20; i++) {
      assertThat(service.admitVerification(ip("192.0.2.12")).admitted()).as("allowlisted").isTrue();
    }
  }

  @Test
  void verificationsInFlightAcrossARangeCountTowardsTheRangeLimit() {
    // Six addresses of one /24 each send ten guesses at once: none is counted yet, and each address is within
    // its own limit, but together they are 60 guesses at a range whose limit is 50.
    int admitted = 0;
    for (int a = 1; a <= 6; a++) {
      for (int i = 0; i < 10; i++) {
        if (service.admitVerification(ip("198.51.100." + a)).admitted()) {
          admitted++;
        }
      }
    }
    assertThat(admitted).as("verifications in flight from one range, before any is counted").isEqualTo(50);
    assertThat(service.admitVerification(ip("198.51.100.7")).mustWait()).as("a seventh address waits").isTrue();
    assertThat(service.admitVerification(ip("198.51.101.1")).admitted()).as("another range").isTrue();

    service.recordFailure(ip("198.51.100.1"), "x", FailureKind.WRONG_PASSWORD);
    service.verificationEnded(ip("198.51.100.1"));
    assertThat(service.admitVerification(ip("198.51.100.7")).mustWait()).as("49 in flight and 1 counted").isTrue();
    service.recordSuccess(ip("198.51.100.2"), "y");
    service.verificationEnded(ip("198.51.100.2"));
    assertThat(service.admitVerification(ip("198.51.100.7")).admitted()).as("a success ends its verification and gives the range headroom").isTrue();
  }

  // ---- allowlist and manual blocks

  @Test
  void allowlistedAddressesAreNeverBlocked() {
    service.registry().putAllow(new AllowEntry(Cidr.parse("192.0.2.0/28"), "office", "admin", START));
    FailureResult last = fail("192.0.2.10", 200);

    assertThat(last.blockIssued()).isFalse();
    assertThat(service.check(ip("192.0.2.10")).allowed()).isTrue();
    assertThat(service.explain(ip("192.0.2.10")).allowlistedBy().reason()).isEqualTo("office");
    assertThat(service.activeBlocks(0, 10).total()).isZero();
  }

  @Test
  void allowlistWinsOverAnExistingBlock() {
    fail("192.0.2.10", 10);
    service.registry().putAllow(new AllowEntry(Cidr.parse("192.0.2.10"), "monitor", "admin", START));
    assertThat(service.check(ip("192.0.2.10")).allowed()).isTrue();
  }

  @Test
  void manualBlockHoldsUntilItsExpiryAndCanBeLifted() {
    ManualBlock m = new ManualBlock(Cidr.parse("203.0.113.0/24"), START.plus(Duration.ofHours(2)),
        "abuse ticket 42", "sec-team", START);
    service.addManualBlock(m, Origin.LOCAL);

    Decision d = service.check(ip("203.0.113.9"));
    assertThat(d.kind()).isEqualTo(BlockKind.MANUAL);
    assertThat(d.retryAfterSeconds()).isEqualTo(7200);
    assertThat(service.activeBlocks(0, 10).items()).singleElement().satisfies(b -> {
      assertThat(b.note()).isEqualTo("abuse ticket 42");
      assertThat(b.createdBy()).isEqualTo("sec-team");
    });

    assertThat(service.liftBlock(Cidr.parse("203.0.113.0/24"), Origin.LOCAL)).isTrue();
    assertThat(service.check(ip("203.0.113.9")).allowed()).isTrue();

    service.addManualBlock(m, Origin.LOCAL);
    clock.advance(Duration.ofHours(2));
    assertThat(service.check(ip("203.0.113.9")).allowed()).isTrue();
    service.maintain();
    assertThat(service.registry().manualBlocks()).isEmpty();
    assertThat(events).contains("lifted MANUAL 203.0.113.0/24 LOCAL", "lifted MANUAL 203.0.113.0/24 EXPIRY");
  }

  @Test
  void anAddressUnderTwoManualBlocksIsToldTheLaterEndNotTheNarrowerBlocks() {
    // A one-hour block of the address inside a 30-day block of its range: the address is refused for 30 days, so
    // a Retry-After of an hour (and an explanation naming only the hour) would send it back to be refused again.
    service.addManualBlock(new ManualBlock(Cidr.parse("203.0.113.0/24"), START.plus(Duration.ofDays(30)),
        "SEC-7 range", "sec-team", START), Origin.LOCAL);
    service.addManualBlock(new ManualBlock(Cidr.parse("203.0.113.9"), START.plus(Duration.ofHours(1)),
        "SEC-8 address", "sec-team", START), Origin.LOCAL);

    Decision d = service.check(ip("203.0.113.9"));
    assertThat(d.kind()).isEqualTo(BlockKind.MANUAL);
    assertThat(d.subject()).isEqualTo(Cidr.parse("203.0.113.0/24"));
    assertThat(d.retryAfterSeconds()).isEqualTo(Duration.ofDays(30).toSeconds());
    assertThat(service.explain(ip("203.0.113.9")).manualBlock().cidr()).isEqualTo(Cidr.parse("203.0.113.0/24"));

    // The narrower one ending later decides in turn.
    service.addManualBlock(new ManualBlock(Cidr.parse("203.0.113.10"), START.plus(Duration.ofDays(31)),
        "SEC-9 address", "sec-team", START), Origin.LOCAL);
    assertThat(service.check(ip("203.0.113.10")).subject()).isEqualTo(Cidr.parse("203.0.113.10"));
  }

  // ---- per-name slow-down

  @Test
  void accountDelayGrowsAfterThreeFailuresDoublesAndIsCapped() {
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      delays.add(service.recordFailure(ip("192.0.2." + (i + 1)), "Alice", FailureKind.WRONG_PASSWORD)
          .accountDelay().toSeconds());
    }
    assertThat(delays).containsExactly(0L, 0L, 0L, 1L, 2L, 4L, 8L, 15L, 15L);
    assertThat(service.accountDelay("alice")).isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void accountDelayNeverLocksTheAccount() {
    for (int i = 0; i < 500; i++) {
      service.recordFailure(ip("10." + (i / 200) + "." + (i % 200) + ".1"), "victim", FailureKind.WRONG_PASSWORD);
    }
    assertThat(service.accountDelay("victim")).isEqualTo(ThrottlePolicy.DEFAULT_ACCOUNT_MAX_DELAY);
    assertThat(service.check(ip("192.0.2.99")).allowed()).as("the owner's own address").isTrue();
  }

  @Test
  void accountDelayTreatsCaseAndSpacingOfTheNameAlike() {
    for (String name : List.of("Alice", " alice", "ALICE ", "alice")) {
      service.recordFailure(ip("192.0.2.1"), name, FailureKind.UNKNOWN_USER);
    }
    assertThat(service.accountDelay("aLiCe")).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void accountDelayIsForgottenAfterAQuietPeriodOrASuccess() {
    for (int i = 0; i < 6; i++) {
      service.recordFailure(ip("192.0.2.1"), "alice", FailureKind.WRONG_PASSWORD);
    }
    clock.advance(Duration.ofMinutes(14));
    assertThat(service.accountDelay("alice")).isEqualTo(Duration.ofSeconds(4));
    clock.advance(Duration.ofMinutes(1));
    assertThat(service.accountDelay("alice")).isZero();

    for (int i = 0; i < 6; i++) {
      service.recordFailure(ip("192.0.2.1"), "bob", FailureKind.WRONG_PASSWORD);
    }
    service.recordSuccess(ip("192.0.2.2"), "bob");
    assertThat(service.accountDelay("bob")).isZero();
  }

  /**
   * The table of names drops the least recently failed name when full, as documented: a name that was only
   * looked up (the login flow asks for every name's delay before verifying) must not outlive a name under attack,
   * whose delay would otherwise start from zero again.
   */
  @Test
  void aFullTableOfNamesDropsTheLeastRecentlyFailedNameNotTheLeastRecentlyLookedUp() throws Exception {
    ThrottlePolicy d = ThrottlePolicy.DEFAULTS;
    start(new ThrottlePolicy(d.window(), d.ipFailureLimit(), d.rangeFailureLimit(), d.rangeBlockedClientLimit(),
        d.rangeBlockedClientWindow(), d.firstBlock(), d.escalationFactor(), d.maxBlock(), d.escalationMemory(),
        d.surgeFailuresPerMinute(), d.surgeExitRatio(), d.surgeMinDuration(), d.surgeLimitFactor(),
        d.successMemory(), d.successHeadroomFactor(), d.accountFreeFailures(), d.accountBaseDelay(),
        d.accountMaxDelay(), d.accountQuietPeriod(), 2, d.degradeFillRatio(),
        d.successHeadroomPerUser(), d.maxSuccessHeadroomFactor(), d.successPeopleCapacity()), 10_000, 10_000);
    service.recordFailure(ip("192.0.2.1"), "typo", FailureKind.UNKNOWN_USER);
    clock.advance(Duration.ofSeconds(1));
    for (int i = 0; i < 6; i++) {
      service.recordFailure(ip("198.51.100." + (i + 1)), "victim", FailureKind.WRONG_PASSWORD);
    }
    assertThat(service.accountDelay("victim")).isEqualTo(Duration.ofSeconds(4));
    clock.advance(Duration.ofSeconds(1));
    assertThat(service.accountDelay("typo")).as("a lookup, not a failure").isZero();

    service.recordFailure(ip("192.0.2.1"), "another", FailureKind.UNKNOWN_USER);

    assertThat(service.accountDelay("victim")).as("the name under attack keeps its delay").isEqualTo(Duration.ofSeconds(4));
  }

  // ---- admin views, propagation and housekeeping

  @Test
  void explainShowsCountersLimitsAndTheBlockingEntry() {
    fail("192.0.2.10", 4);
    Explanation e = service.explain(ip("192.0.2.10"));
    assertThat(e.decision().allowed()).isTrue();
    assertThat(e.client().failuresInWindow()).isEqualTo(4.0);
    assertThat(e.client().failureLimit()).isEqualTo(10);
    assertThat(e.range().subject()).isEqualTo(Cidr.parse("192.0.2.0/24"));
    assertThat(e.range().failureLimit()).isEqualTo(50);
    assertThat(e.range().blockedClientLimit()).isEqualTo(5);
    assertThat(e.surge().active()).isFalse();

    fail("192.0.2.10", 6);
    e = service.explain(ip("192.0.2.10"));
    assertThat(e.decision().kind()).isEqualTo(BlockKind.CLIENT);
    assertThat(e.client().blockedUntil()).isEqualTo(START.plus(Duration.ofMinutes(15)));
    assertThat(e.client().totalFailures()).isEqualTo(10);
    assertThat(e.range().blockedClientsInWindow()).isEqualTo(1.0);
  }

  @Test
  void listsActiveBlocksNewestFirstInPages() {
    for (int i = 1; i <= 5; i++) {
      fail("192.0." + i + ".1", 10);
      clock.advance(Duration.ofMinutes(1));
    }
    BlockPage first = service.activeBlocks(0, 2);
    BlockPage second = service.activeBlocks(2, 2);

    assertThat(first.total()).isEqualTo(5);
    assertThat(first.items()).extracting(b -> b.subject().toString()).containsExactly("192.0.5.1/32", "192.0.4.1/32");
    assertThat(second.items()).extracting(b -> b.subject().toString()).containsExactly("192.0.3.1/32", "192.0.2.1/32");
    assertThat(service.activeBlocks(4, 2).items()).hasSize(1);
  }

  @Test
  void remoteBlocksApplyOnceAndFireNoLocalEvent() {
    BlockEntry remote = new BlockEntry(Cidr.parse("192.0.2.10/32"), BlockKind.CLIENT, BlockReason.CLIENT_FAILURES,
        "", "gateway", START, START.plus(Duration.ofMinutes(60)), 2, 10, START, START);

    assertThat(service.applyRemoteBlock(remote)).isTrue();
    assertThat(service.applyRemoteBlock(remote)).isFalse();

    assertThat(service.check(ip("192.0.2.10")).retryAfterSeconds()).isEqualTo(3600);
    assertThat(events).containsExactly("issued CLIENT 192.0.2.10/32 REMOTE");
    assertThat(service.liftBlock(Cidr.parse("192.0.2.10/32"), Origin.REMOTE)).isTrue();
    assertThat(service.check(ip("192.0.2.10")).allowed()).isTrue();
    assertThat(events).last().isEqualTo("lifted CLIENT 192.0.2.10/32 REMOTE");
  }

  /**
   * A block another node issued is not dropped because this node's map is full (a flood, or a smaller
   * configuration here): blocks get a reserve beyond the configured entries, which Chronicle can hold.
   */
  @Test
  void aBlockFromAnotherNodeIsAppliedThoughTheMapIsFull() throws Exception {
    start(ThrottlePolicy.DEFAULTS, 10, 10);
    for (int i = 0; i <= 10; i++) {
      BlockEntry remote = new BlockEntry(Cidr.parse("198.51." + i + ".0/24"), BlockKind.RANGE,
          BlockReason.RANGE_FAILURES, "", "gateway", START, START.plus(Duration.ofMinutes(15)), 1, 50, START, START);
      assertThat(service.applyRemoteBlock(remote)).as("block %d of a map of 10", i + 1).isTrue();
    }
    assertThat(storage.ranges().size()).isEqualTo(11);
    assertThat(service.check(ip("198.51.10.7")).allowed()).isFalse();
  }

  /**
   * A range with success headroom is neither swept nor dropped under pressure for a day, so one account signing in
   * from as many ranges as the range map holds (an IPv6 block gives an attacker thousands of /48s) left it full of
   * them and the failures of every new range uncounted: a spray from one new range was never blocked. Successes
   * now take new range keys only below 90 % of the map.
   */
  @Test
  void successesFromManyRangesDoNotFillTheRangeMapSoThatANewRangeIsStillCounted() throws Exception {
    start(ThrottlePolicy.DEFAULTS, 1000, 10);
    for (int i = 0; i < 10; i++) {
      service.recordSuccess(ip("198.51." + i + ".1"), "mallory");
    }
    long taken = storage.ranges().size();
    assertThat(service.explain(ip("198.51.0.1")).range().successHeadroom()).as("a range kept").isTrue();

    List<BlockEntry> issued = new ArrayList<>();
    // The map's relief may drop the new range once while it holds under half a limit (its first failure here).
    for (int i = 1; i <= 60; i++) {
      issued.addAll(fail("203.0.113." + i, 1).issued());
    }
    assertThat(issued).extracting(BlockEntry::kind, BlockEntry::subject)
        .containsExactly(tuple(BlockKind.RANGE, Cidr.parse("203.0.113.0/24")));
    assertThat(taken).as("ranges taken by successes").isEqualTo(9);
  }

  /**
   * A spray from many ranges fills the client map first (at its degrade ratio) and then the range map. Both warned
   * through one once-a-minute limit, so the client map's line, written first on every request, kept the range map's
   * from ever showing: the log said "raise throttle.client-entries" while failures of new ranges went uncounted.
   */
  @Test
  void aFullRangeMapIsLoggedThoughTheClientMapIsFullToo() throws Exception {
    start(ThrottlePolicy.DEFAULTS, 10, 10);
    ch.qos.logback.classic.Logger log =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ThrottleService.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
        new ch.qos.logback.core.read.ListAppender<>();
    appender.start();
    log.addAppender(appender);
    try {
      for (int i = 0; i <= 11; i++) {
        fail("198.51." + i + ".1", 1);
      }
      assertThat(storage.ranges().size()).as("the range map is full").isEqualTo(10);
      assertThat(appender.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
          .anyMatch(m -> m.startsWith("Throttle client map is full"))
          .anyMatch(m -> m.startsWith("Throttle range map is full") && m.contains("throttle.range-entries"));
    } finally {
      log.detachAppender(appender);
    }
  }

  /**
   * A block from another node that has already ended (its notification arrived late, or was replayed after a
   * reload) blocks nothing, so it must not take an entry: stale notifications would otherwise fill the map and
   * its reserve for seven days (the escalation memory keeps such entries from being swept), and a live block
   * from another node would then be dropped.
   */
  @Test
  void aBlockFromAnotherNodeThatHasAlreadyEndedTakesNoEntry() throws Exception {
    start(ThrottlePolicy.DEFAULTS, 10, 10);
    clock.advance(Duration.ofHours(1));
    for (int i = 0; i < 20; i++) {
      BlockEntry stale = new BlockEntry(Cidr.parse("198.51." + i + ".0/24"), BlockKind.RANGE,
          BlockReason.RANGE_FAILURES, "", "gateway", START, START.plus(Duration.ofMinutes(15)), 1, 50, START, START);
      service.applyRemoteBlock(stale);
    }
    service.maintain();
    assertThat(storage.ranges().size()).as("entries taken by blocks that ended before they arrived").isZero();
    assertThat(events).as("no block was issued here").isEmpty();

    BlockEntry live = new BlockEntry(Cidr.parse("203.0.113.0/24"), BlockKind.RANGE, BlockReason.RANGE_FAILURES,
        "", "gateway", clock.instant(), clock.instant().plus(Duration.ofMinutes(15)), 1, 50, clock.instant(),
        clock.instant());
    assertThat(service.applyRemoteBlock(live)).isTrue();
    assertThat(service.check(ip("203.0.113.7")).allowed()).isFalse();
  }

  /**
   * The escalation level saturates instead of wrapping: a level near the top (from another node's row) must not
   * turn negative and make the next block a first one, nor cost a loop of billions of steps under the key's lock
   * when escalation-factor is 1 (allowed).
   */
  @Test
  void theEscalationLevelNeitherOverflowsNorLoopsPerLevel() throws Exception {
    ThrottlePolicy d = ThrottlePolicy.DEFAULTS;
    start(new ThrottlePolicy(d.window(), d.ipFailureLimit(), d.rangeFailureLimit(), d.rangeBlockedClientLimit(),
        d.rangeBlockedClientWindow(), Duration.ofMinutes(15), 1, Duration.ofHours(1), d.escalationMemory(),
        d.surgeFailuresPerMinute(), d.surgeExitRatio(), d.surgeMinDuration(), d.surgeLimitFactor(),
        d.successMemory(), d.successHeadroomFactor(), d.accountFreeFailures(), d.accountBaseDelay(),
        d.accountMaxDelay(), d.accountQuietPeriod(), d.accountCapacity(), d.degradeFillRatio(),
        d.successHeadroomPerUser(), d.maxSuccessHeadroomFactor(), d.successPeopleCapacity()), 10_000, 10_000);
    BlockEntry remote = new BlockEntry(Cidr.parse("192.0.2.10/32"), BlockKind.CLIENT, BlockReason.CLIENT_FAILURES,
        "", "gateway", START, START.plus(Duration.ofMinutes(1)), Integer.MAX_VALUE, 10, START, START);
    service.applyRemoteBlock(remote);
    clock.advance(Duration.ofMinutes(1));

    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      for (int i = 0; i < 3; i++) {
        assertThat(blockLengthAfter("192.0.2.10", 10)).isEqualTo(Duration.ofMinutes(15));
        clock.advance(Duration.ofMinutes(15));
      }
    });
    assertThat(storage.clients().get(service.clientKeys().clientKey(ip("192.0.2.10"))).blockLevel())
        .isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void liftingKeepsTheEscalationLevel() {
    fail("192.0.2.10", 10);
    service.liftBlock(Cidr.parse("192.0.2.10/32"), Origin.LOCAL);
    assertThat(blockLengthAfter("192.0.2.10", 10)).isEqualTo(Duration.ofMinutes(60));
  }

  @Test
  void maintenanceReportsExpiredBlocksAndSweepsIdleEntries() {
    fail("192.0.2.10", 10);
    fail("192.0.2.20", 1);
    service.maintain();
    assertThat(service.activeBlocks(BlockKind.CLIENT)).isEqualTo(1);
    assertThat(storage.clients().size()).isEqualTo(2);

    clock.advance(Duration.ofMinutes(20));
    service.maintain();
    assertThat(events).contains("lifted CLIENT 192.0.2.10/32 EXPIRY");
    assertThat(service.activeBlocks(BlockKind.CLIENT)).isZero();
    assertThat(storage.clients().size()).as("192.0.2.20 is idle; .10 keeps its level").isEqualTo(1);

    clock.advance(Duration.ofDays(7));
    service.maintain();
    assertThat(storage.clients().size()).isZero();
    assertThat(storage.ranges().size()).isZero();
  }

  @Test
  void activeBlockGaugeMovesWhenABlockStartsOrIsLiftedNotOnlyAtMaintenance() {
    fail("192.0.2.10", 10);
    assertThat(service.activeBlocks(BlockKind.CLIENT)).isEqualTo(1);
    BlockEntry remote = new BlockEntry(Cidr.parse("198.51.100.0/24"), BlockKind.RANGE, BlockReason.RANGE_FAILURES,
        "", "gateway", clock.instant(), clock.instant().plus(Duration.ofMinutes(15)), 1, 50, clock.instant(), clock.instant());
    service.applyRemoteBlock(remote);
    service.applyRemoteBlock(remote);
    assertThat(service.activeBlocks(BlockKind.RANGE)).as("a repeated notification is one block").isEqualTo(1);

    service.liftBlock(Cidr.parse("192.0.2.10/32"), Origin.LOCAL);
    assertThat(service.activeBlocks(BlockKind.CLIENT)).isZero();
    service.maintain();
    assertThat(service.activeBlocks(BlockKind.RANGE)).isEqualTo(1);
  }

  /** A flood of one failure each from more ranges than the maps hold, then one address guessing fast. */
  @Test
  void aFloodThatFillsBothMapsStillCountsANewAddressByRangeAndKeepsBlocksAndHeadroom() throws Exception {
    start(ThrottlePolicy.DEFAULTS, 1000, 1000);
    fail("192.0.2.10", 10);
    service.recordSuccess(ip("192.0.3.20"), "office");
    fail("192.0.3.20", 1);
    for (int n = 0; n < 1500; n++) {
      fail("10." + (n / 256) + "." + (n % 256) + ".7", 1);
    }
    clock.advance(Duration.ofSeconds(30));

    // Both maps are full: the new address can only be counted by its range, which must find room.
    for (int i = 0; i < 50 && service.check(ip("203.0.113.9")).allowed(); i++) {
      fail("203.0.113.9", 1);
    }
    assertThat(service.check(ip("203.0.113.9")).allowed()).as("a new address is counted and blocked").isFalse();
    assertThat(service.check(ip("203.0.113.9")).kind()).isEqualTo(BlockKind.RANGE);
    assertThat(service.check(ip("192.0.2.10")).allowed()).as("an existing block holds").isFalse();
    assertThat(storage.ranges().get(com.timereg.gateway.clientip.AddressKey.of(ip("192.0.3.20"), 24)))
        .as("a real user's range keeps its headroom").isNotNull();
    assertThat(storage.ranges().get(com.timereg.gateway.clientip.AddressKey.of(ip("192.0.2.10"), 24)))
        .as("a range with a blocked client keeps its count").isNotNull();
  }

  /**
   * The sweep that makes room for new ranges is spaced by the clock: one that ran while the clock was a day
   * ahead must not hold off the next for the day once the clock is put right, while a flood keeps both maps full.
   */
  @Test
  void aClockPutBackDoesNotHoldOffTheSweepThatMakesRoomForNewRanges() throws Exception {
    start(ThrottlePolicy.DEFAULTS, 1000, 1000);
    clock.advance(Duration.ofDays(1));
    for (int n = 0; n < 1500; n++) {
      fail("10." + (n / 256) + "." + (n % 256) + ".7", 1);
    }
    clock.advance(Duration.ofDays(-1).plusMinutes(1));
    for (int n = 0; n < 1500; n++) {
      fail("11." + (n / 256) + "." + (n % 256) + ".7", 1);
    }
    clock.advance(Duration.ofSeconds(30));

    for (int i = 0; i < 50 && service.check(ip("203.0.113.9")).allowed(); i++) {
      fail("203.0.113.9", 1);
    }
    assertThat(service.check(ip("203.0.113.9")).allowed()).as("a new address is counted and blocked").isFalse();
  }

  @Test
  void fullClientMapDegradesToRangeCountingWithoutExceptions() throws Exception {
    start(ThrottlePolicy.DEFAULTS, 100, 10_000);
    for (int i = 1; i <= 80; i++) {
      fail("10.0." + i + ".1", 1);
    }
    assertThat(storage.clients().size()).isEqualTo(80);
    clock.advance(Duration.ofMinutes(2)); // keep the gateway-wide rate below surge


    // Nothing to sweep yet: a new address is only counted in its range.
    for (int i = 0; i < 49; i++) {
      assertThat(fail("10.9.9.9", 1).blockIssued()).isFalse();
    }
    assertThat(storage.clients().get(com.timereg.gateway.clientip.AddressKey.of(ip("10.9.9.9"), 32))).isNull();
    assertThat(fail("10.9.9.9", 1).issued()).extracting(BlockEntry::kind).containsExactly(BlockKind.RANGE);

    // Once the old entries are idle, pressure sweeps them and new addresses are counted again.
    clock.advance(Duration.ofMinutes(30));
    fail("10.8.8.8", 1);
    assertThat(storage.clients().size()).isEqualTo(1);
  }
}
