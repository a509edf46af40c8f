package com.timereg.gateway.login;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CheckRateLimiterTest {
  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final ManualClock clock = new ManualClock();

  @Test
  void allowsABurstOfThirtyThenOneEveryTwoSeconds() {
    CheckRateLimiter limiter = CheckRateLimiter.defaults(clock);
    for (int i = 0; i < 30; i++) {
      assertThat(limiter.acquire("s1")).isZero();
    }
    assertThat(limiter.acquire("s1")).isEqualTo(2);

    clock.advance(Duration.ofSeconds(2));
    assertThat(limiter.acquire("s1")).isZero();
    assertThat(limiter.acquire("s1")).isPositive();
  }

  @Test
  void sessionsHaveTheirOwnBuckets() {
    CheckRateLimiter limiter = new CheckRateLimiter(2, Duration.ofMinutes(1), 10, clock);
    limiter.acquire("a");
    limiter.acquire("a");

    assertThat(limiter.acquire("a")).isPositive();
    assertThat(limiter.acquire("b")).isZero();
  }

  @Test
  void whenFullDropsIdleSessionsAndRefusesNewOnesWhileNoneAre() {
    CheckRateLimiter limiter = new CheckRateLimiter(2, Duration.ofMinutes(1), 2, clock);
    limiter.acquire("a");
    limiter.acquire("b");

    assertThat(limiter.acquire("c")).as("both buckets are in use").isPositive();
    clock.advance(Duration.ofMinutes(1));
    assertThat(limiter.acquire("c")).as("idle buckets were dropped").isZero();
  }
}
