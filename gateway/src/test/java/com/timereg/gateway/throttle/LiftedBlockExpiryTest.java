package com.timereg.gateway.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.clientip.IpLiterals;
import com.timereg.gateway.testsupport.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A block an administrator lifted did not expire: maintenance must not count it again in
 * {@code gateway.throttle.blocks.expired} nor report it lifted a second time, by expiry.
 */
class LiftedBlockExpiryTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T08:00:00Z"));
  private final ThrottleStorage storage = ThrottleStorage.inMemory(10_000, 10_000);
  private final List<String> expired = new CopyOnWriteArrayList<>();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final ThrottleService service = new ThrottleService(ThrottlePolicy.DEFAULTS,
      new ClientKeys(ClientKeyPolicy.DEFAULTS), storage.clients(), storage.ranges(), new BlockRegistry(), clock,
      new ThrottleMetrics() {
        @Override
        public void blockExpired(BlockKind kind) {
          expired.add(kind.metricTag());
        }
      }, Runnable::run);

  {
    service.addListener(new ThrottleListener() {
      @Override
      public void blockLifted(Cidr subject, BlockKind kind, Origin origin) {
        events.add("lifted " + kind + " " + subject + " " + origin);
      }
    });
  }

  @AfterEach
  void close() {
    storage.close();
  }

  @Test
  void aLiftedBlockIsNotCountedAsExpiredByTheNextMaintenance() {
    for (int i = 0; i < 10; i++) {
      service.recordFailure(IpLiterals.parse("192.0.2.10"), null, FailureKind.WRONG_PASSWORD);
    }
    service.maintain();
    clock.advance(Duration.ofMinutes(1));
    assertThat(service.liftBlock(Cidr.parse("192.0.2.10/32"), Origin.LOCAL)).isTrue();
    clock.advance(Duration.ofMinutes(1));
    service.maintain();
    clock.advance(Duration.ofMinutes(30));
    service.maintain();

    assertThat(events).containsExactly("lifted CLIENT 192.0.2.10/32 LOCAL");
    assertThat(expired).isEmpty();
  }

  @Test
  void aBlockThatRanOutIsStillCountedAsExpired() {
    for (int i = 0; i < 10; i++) {
      service.recordFailure(IpLiterals.parse("192.0.2.20"), null, FailureKind.WRONG_PASSWORD);
    }
    service.maintain();
    clock.advance(Duration.ofMinutes(16));
    service.maintain();

    assertThat(events).containsExactly("lifted CLIENT 192.0.2.20/32 EXPIRY");
    assertThat(expired).containsExactly("client");
  }
}
