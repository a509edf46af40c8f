package com.timereg.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.testsupport.ManualClock;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StartLimiterTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T09:00:00Z"));
  private final ClientKeys keys = new ClientKeys(ClientKeyPolicy.DEFAULTS);

  @Test
  void anOfficeGetsTheWholeMinutesAllowanceAtOnceThenOneStartPerShareOfTheMinute() throws Exception {
    StartLimiter limiter = new StartLimiter(300, 100, keys, clock);
    InetAddress office = InetAddress.getByName("198.51.100.7");
    for (int i = 0; i < 300; i++) {
      assertThat(limiter.acquire(office)).as("start %d", i + 1).isZero();
    }
    assertThat(limiter.acquire(office)).isEqualTo(1);

    clock.advance(Duration.ofMillis(200));
    assertThat(limiter.acquire(office)).isZero();
    assertThat(limiter.acquire(office)).isPositive();
    clock.advance(Duration.ofMinutes(1));
    for (int i = 0; i < 300; i++) {
      assertThat(limiter.acquire(office)).isZero();
    }
  }

  @Test
  void addressesOfOneIpv6SlashSixtyFourShareAnAllowanceAndOtherClientsHaveTheirOwn() throws Exception {
    StartLimiter limiter = new StartLimiter(2, 100, keys, clock);
    assertThat(limiter.acquire(InetAddress.getByName("2001:db8:1:2::1"))).isZero();
    assertThat(limiter.acquire(InetAddress.getByName("2001:db8:1:2::ffff"))).isZero();
    assertThat(limiter.acquire(InetAddress.getByName("2001:db8:1:2:abcd::9"))).isPositive();

    assertThat(limiter.acquire(InetAddress.getByName("2001:db8:1:3::1"))).isZero();
    assertThat(limiter.acquire(InetAddress.getByName("198.51.100.8"))).isZero();
  }

  @Test
  void aFullTableDropsIdleClientsAndOtherwiseCountsNewOnesByTheirRange() throws Exception {
    StartLimiter limiter = new StartLimiter(2, 3, keys, clock);
    for (int i = 1; i <= 3; i++) {
      limiter.acquire(InetAddress.getByName("2001:db8:1:" + i + "::1"));
    }
    // Full, and nobody idle: the many /64s of one /48 share their range's allowance.
    assertThat(limiter.acquire(InetAddress.getByName("2001:db8:1:10::1"))).isZero();
    assertThat(limiter.acquire(InetAddress.getByName("2001:db8:1:11::1"))).isZero();
    assertThat(limiter.acquire(InetAddress.getByName("2001:db8:1:12::1"))).isPositive();
    // Another range still has its own.
    assertThat(limiter.acquire(InetAddress.getByName("2001:db8:2:1::1"))).isZero();

    clock.advance(Duration.ofMinutes(1));
    // Idle long enough to hold nothing: dropped, and a new client has a bucket of its own again.
    assertThat(limiter.acquire(InetAddress.getByName("2001:db8:1:20::1"))).isZero();
    assertThat(limiter.acquire(InetAddress.getByName("2001:db8:1:20::1"))).isZero();
    assertThat(limiter.acquire(InetAddress.getByName("2001:db8:1:20::1"))).isPositive();
  }

  @Test
  void bothTablesFullRefusesNewClientsWithARetryAfter() throws Exception {
    StartLimiter limiter = new StartLimiter(60, 1, keys, clock);
    limiter.acquire(InetAddress.getByName("198.51.100.1"));
    limiter.acquire(InetAddress.getByName("203.0.113.1"));

    assertThat(limiter.acquire(InetAddress.getByName("192.0.2.1"))).isEqualTo(1);
  }
}
