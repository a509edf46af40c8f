package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.throttle.FailureKind;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecentLoginEventsTest {
  private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private final RecentLoginEvents events = new RecentLoginEvents(3, clock, "gw-1");

  private static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  @Test
  void keepsOnlyTheNewestUpToCapacityNewestFirst() throws Exception {
    for (int i = 1; i <= 5; i++) {
      events.loginFailed(ip("192.0.2." + i), null, FailureKind.WRONG_PASSWORD);
    }
    assertThat(events.size()).isEqualTo(3);
    assertThat(events.newest(0, 10)).extracting(e -> e.client().getHostAddress())
        .containsExactly("192.0.2.5", "192.0.2.4", "192.0.2.3");
    assertThat(events.newest(1, 1)).extracting(e -> e.client().getHostAddress()).containsExactly("192.0.2.4");
    assertThat(events.newest(3, 10)).isEmpty();
  }

  @Test
  void filtersByRangeAndRecordsOutcomeNameAndNode() throws Exception {
    events.loginSucceeded(ip("198.51.100.7"), "bob@demo.test", "password");
    events.loginFailed(ip("203.0.113.1"), null, FailureKind.UNKNOWN_USER);
    events.loginFailed(ip("198.51.100.8"), "bob@demo.test", FailureKind.WRONG_PASSWORD);
    List<LoginEvent> mine = events.from(Cidr.parse("198.51.100.0/24"), 10);
    assertThat(mine).hasSize(2);
    assertThat(mine.get(0).succeeded()).isFalse();
    assertThat(mine.get(0).detail()).isEqualTo("wrong_password");
    assertThat(mine.get(1).succeeded()).isTrue();
    assertThat(mine.get(1).loginName()).isEqualTo("bob@demo.test");
    assertThat(mine.get(1).node()).isEqualTo("gw-1");
    assertThat(mine.get(1).at()).isEqualTo(clock.instant());
  }

  @Test
  void concurrentRecordingLosesNothingWithinCapacity() throws Exception {
    RecentLoginEvents big = new RecentLoginEvents(10_000, clock, "gw");
    InetAddress a = ip("192.0.2.1");
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 1000; i++) {
          big.loginFailed(a, null, FailureKind.WRONG_PASSWORD);
        }
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(big.size()).isEqualTo(4000);
    assertThat(big.newest(0, 5000)).hasSize(4000).doesNotContainNull();
  }
}
