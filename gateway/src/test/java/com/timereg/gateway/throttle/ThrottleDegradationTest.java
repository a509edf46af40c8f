package com.timereg.gateway.throttle;

import com.timereg.gateway.testsupport.ManualClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.timereg.gateway.clientip.AddressKey;
import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.clientip.IpLiterals;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;

class ThrottleDegradationTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T08:00:00Z"));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  /** A store whose backing file went bad: every call fails. */
  private static final class BrokenStore implements ThrottleStore {
    @Override public RateRecord get(AddressKey key) { throw new IllegalStateException("disk gone"); }
    @Override public long blockedUntil(AddressKey key) { throw new IllegalStateException("disk gone"); }
    // Unknown, so every check asks the map (and meets the failure).
    @Override public long blockedAtMostUntil() { return Long.MAX_VALUE; }
    @Override public <R> R update(AddressKey key, boolean mayCreate, Updater<R> updater) {
      throw new IllegalStateException("disk gone");
    }
    @Override public boolean remove(AddressKey key) { throw new IllegalStateException("disk gone"); }
    @Override public long removeIf(BiPredicate<AddressKey, RateRecord> p) { throw new IllegalStateException("disk gone"); }
    @Override public void forEach(BiConsumer<AddressKey, RateRecord> v) { throw new IllegalStateException("disk gone"); }
    @Override public long size() { return 0; }
    @Override public long capacity() { return 1000; }
    @Override public void close() {}
  }

  private ThrottleService service(ThrottleStore clients, ThrottleStore ranges) {
    return new ThrottleService(ThrottlePolicy.DEFAULTS, new ClientKeys(ClientKeyPolicy.DEFAULTS), clients, ranges,
        new BlockRegistry(), clock, new MicrometerThrottleMetrics(registry), Runnable::run);
  }

  @Test
  void aBrokenStoreNeverThrowsOnTheRequestPathAndIsCounted() {
    ThrottleService service = service(new BrokenStore(), new BrokenStore());
    var client = IpLiterals.parse("192.0.2.1");

    assertThatCode(() -> {
      assertThat(service.check(client).allowed()).isTrue();
      for (int i = 0; i < 5; i++) {
        assertThat(service.recordFailure(client, "alice", FailureKind.WRONG_PASSWORD).blockIssued()).isFalse();
      }
      service.recordSuccess(client, "alice");
      service.maintain();
    }).doesNotThrowAnyException();
    assertThat(service.recordFailure(client, "bob", FailureKind.WRONG_PASSWORD).accountDelay()).isZero();
    assertThat(registry.counter("gateway.throttle.degraded", "reason", "store-error").count()).isGreaterThanOrEqualTo(8);
  }

  @Test
  void metersCountInvalidLoginsBlocksSurgeAndFill() {
    ThrottleStorage storage = ThrottleStorage.inMemory(1000, 1000);
    ThrottleService service = service(storage.clients(), storage.ranges());
    for (int i = 0; i < 10; i++) {
      service.recordFailure(IpLiterals.parse("192.0.2.1"), "x", i < 4 ? FailureKind.UNKNOWN_USER : FailureKind.WRONG_PASSWORD);
    }
    service.maintain();

    assertThat(registry.counter("gateway.throttle.invalid.logins", "kind", "unknown_user").count()).isEqualTo(4);
    assertThat(registry.counter("gateway.throttle.invalid.logins", "kind", "wrong_password").count()).isEqualTo(6);
    assertThat(registry.counter("gateway.throttle.blocks.issued", "kind", "client").count()).isEqualTo(1);
    assertThat(registry.get("gateway.throttle.blocks.active").tag("kind", "client").gauge().value()).isEqualTo(1);
    assertThat(registry.get("gateway.throttle.map.fill").tag("map", "clients").gauge().value()).isEqualTo(0.001);
    assertThat(registry.get("gateway.throttle.surge.active").gauge().value()).isZero();

    for (int i = 0; i < 100; i++) {
      service.recordFailure(IpLiterals.parse("198.51." + (i / 40) + "." + (i % 40 + 1)), null, FailureKind.MALFORMED_CREDENTIALS);
    }
    assertThat(registry.get("gateway.throttle.surge.active").gauge().value()).isEqualTo(1);

    clock.advance(Duration.ofMinutes(16));
    service.maintain();
    assertThat(registry.counter("gateway.throttle.blocks.expired", "kind", "client").count()).isEqualTo(1);
    assertThat(registry.get("gateway.throttle.blocks.active").tag("kind", "client").gauge().value()).isZero();
  }

  @Test
  void policyReportsEveryProblemAtOnce() {
    ThrottlePolicy bad = new ThrottlePolicy(Duration.ZERO, 0, 50, 5, Duration.ofHours(1), Duration.ofHours(2), 4,
        Duration.ofHours(1), Duration.ofDays(7), 100, 0.5, Duration.ofMinutes(2), 0.5, Duration.ofHours(24), 10.0,
        3, Duration.ofSeconds(1), Duration.ofSeconds(15), Duration.ofMinutes(15), 100_000, 0.8, 2, 8.0, 100_000);

    assertThat(bad.problems()).containsExactlyInAnyOrder(
        "window must be a positive duration, was PT0S",
        "ip-failure-limit must be at least 1, was 0",
        "success-headroom-factor must be between 1.0 and 4.0, was 10.0",
        "first-block (PT2H) must not exceed max-block (PT1H)");
    assertThat(ThrottlePolicy.DEFAULTS.problems()).isEmpty();
  }
}
