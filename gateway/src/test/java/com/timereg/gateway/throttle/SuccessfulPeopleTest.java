package com.timereg.gateway.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.clientip.AddressKey;
import com.timereg.gateway.clientip.IpLiterals;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SuccessfulPeopleTest {
  /** Aligned to the sketch's half-day windows. */
  static final long START = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
  static final long HOUR = Duration.ofHours(1).toMillis();
  static final AddressKey OFFICE = key("192.0.2.10");

  final SuccessfulPeople people = new SuccessfulPeople(ThrottlePolicy.DEFAULTS);

  static AddressKey key(String address) {
    return AddressKey.of(IpLiterals.parse(address), 32);
  }

  static ThrottlePolicy withCapacity(int keys) {
    ThrottlePolicy d = ThrottlePolicy.DEFAULTS;
    return new ThrottlePolicy(d.window(), d.ipFailureLimit(), d.rangeFailureLimit(), d.rangeBlockedClientLimit(),
        d.rangeBlockedClientWindow(), d.firstBlock(), d.escalationFactor(), d.maxBlock(), d.escalationMemory(),
        d.surgeFailuresPerMinute(), d.surgeExitRatio(), d.surgeMinDuration(), d.surgeLimitFactor(), d.successMemory(),
        d.successHeadroomFactor(), d.accountFreeFailures(), d.accountBaseDelay(), d.accountMaxDelay(),
        d.accountQuietPeriod(), d.accountCapacity(), d.degradeFillRatio(), d.successHeadroomPerUser(),
        d.maxSuccessHeadroomFactor(), keys);
  }

  /**
   * Churn cannot inflate the count: the same three people signing in every hour for three days, across window
   * rollovers and the sweeps between them (their key dropped and re-added), count as three, never more; only new
   * names set new bits, and a name counts only once its password was verified.
   */
  @Test
  void theSamePeopleSigningInAgainAcrossWindowsAndSweepsNeverCountMore() {
    for (long t = START; t < START + 72 * HOUR; t += HOUR) {
      for (String name : new String[] {"alice", "bob", "carol"}) {
        people.recordSuccess(OFFICE, name, t);
      }
      people.sweep(t);
      assertThat(people.people(OFFICE, t)).as("at hour %d", (t - START) / HOUR).isBetween(2, 3);
    }
  }

  /** A success recorded while the clock ran a day ahead adds nobody once the clock is put back. */
  @Test
  void peopleRecordedByAClockThatRanADayAheadCountForNothingOnceItIsPutBack() {
    for (int n = 1; n <= 20; n++) {
      people.recordSuccess(OFFICE, "person-" + n, START + 24 * HOUR);
    }
    assertThat(people.people(OFFICE, START)).isZero();
  }

  @Test
  void nobodyIsCountedBeforeAnyoneSignsIn() {
    assertThat(people.people(OFFICE, START)).isZero();
  }

  @Test
  void countsDistinctPeopleWithinAFewOfTheTruth() {
    for (int n = 1; n <= 40; n++) {
      people.recordSuccess(OFFICE, "person-" + n + "@acme.test", START + n);
      assertThat(people.people(OFFICE, START + n)).as("%d people", n).isBetween((int) (n * 0.85), n + 2);
    }
  }

  @Test
  void theSamePersonCountsOnceHoweverOftenAndHoweverSpelt() {
    for (int i = 0; i < 100; i++) {
      people.recordSuccess(OFFICE, i % 2 == 0 ? "Alice@Acme.test " : "alice@acme.test", START + i);
    }
    assertThat(people.people(OFFICE, START + 100)).isEqualTo(1);
  }

  @Test
  void aPersonCountsForBetweenHalfAndAllOfTheSuccessMemory() {
    people.recordSuccess(OFFICE, "early", START);
    people.recordSuccess(OFFICE, "late", START + 12 * HOUR - 1);
    assertThat(people.people(OFFICE, START + 12 * HOUR)).isEqualTo(2);
    assertThat(people.people(OFFICE, START + 24 * HOUR - 1)).isEqualTo(2);
    assertThat(people.people(OFFICE, START + 24 * HOUR)).as("both decayed, the late one after 12 h").isZero();

    people.recordSuccess(OFFICE, "next day", START + 30 * HOUR);
    assertThat(people.people(OFFICE, START + 30 * HOUR)).isEqualTo(1);
  }

  @Test
  void aClockSteppedBackByLessThanAWindowKeepsThePeople() {
    people.recordSuccess(OFFICE, "alice", START + 12 * HOUR);
    people.recordSuccess(OFFICE, "bob", START + 11 * HOUR);
    assertThat(people.people(OFFICE, START + 11 * HOUR)).isEqualTo(2);
    assertThat(people.people(OFFICE, START - 2 * HOUR)).as("stepped back more than a window").isZero();
  }

  @Test
  void aFullSketchSaturatesAboveAnyCap() {
    for (int i = 0; i < 2000; i++) {
      people.recordSuccess(OFFICE, "p" + i, START);
    }
    assertThat(people.people(OFFICE, START)).isEqualTo(SuccessfulPeople.SATURATED).isGreaterThan(600);
    assertThat(SuccessfulPeople.estimate(0)).isZero();
    assertThat(SuccessfulPeople.estimate(1)).isEqualTo(1);
  }

  @Test
  void theLeastRecentlySuccessfulKeyIsDroppedBeyondCapacity() {
    SuccessfulPeople two = new SuccessfulPeople(withCapacity(2));
    two.recordSuccess(key("192.0.2.1"), "a", START);
    two.recordSuccess(key("192.0.2.2"), "b", START + 1);
    // Looking a key up (every failure does) does not keep it; only a success does.
    assertThat(two.people(key("192.0.2.2"), START + 2)).isEqualTo(1);
    two.recordSuccess(key("192.0.2.1"), "a", START + 3);
    two.recordSuccess(key("192.0.2.3"), "c", START + 4);

    assertThat(two.size()).isEqualTo(2);
    assertThat(two.people(key("192.0.2.1"), START + 5)).isEqualTo(1);
    assertThat(two.people(key("192.0.2.2"), START + 5)).as("least recently successful").isZero();
    assertThat(two.people(key("192.0.2.3"), START + 5)).isEqualTo(1);
  }

  @Test
  void sweepDropsKeysNobodySignedInFromForTwoWindows() {
    people.recordSuccess(key("192.0.2.1"), "a", START);
    people.recordSuccess(key("192.0.2.2"), "b", START + 13 * HOUR);
    people.sweep(START + 24 * HOUR);
    assertThat(people.size()).isEqualTo(1);
    assertThat(people.people(key("192.0.2.2"), START + 24 * HOUR)).isEqualTo(1);
  }
}
