package com.timereg.gateway.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChronicleThrottleServiceTest extends ThrottleServiceContract {
  @TempDir Path dir;
  private int opened;

  @Override
  ThrottleStorage newStorage(long clientEntries, long rangeEntries) throws Exception {
    Path sub = Files.createDirectories(dir.resolve("run" + opened++));
    return new ThrottleStorage(ChronicleThrottleStore.open(sub, "clients", clientEntries),
        ChronicleThrottleStore.open(sub, "ranges", rangeEntries));
  }

  @Test
  void blocksAndEscalationSurviveARestart() throws Exception {
    fail("192.0.2.10", 10);
    storage.close();
    storage = ThrottleStorage.open(new ThrottleStorageSettings(dir.resolve("run0"), 10_000, 10_000));
    service = new ThrottleService(ThrottlePolicy.DEFAULTS,
        new com.timereg.gateway.clientip.ClientKeys(com.timereg.gateway.clientip.ClientKeyPolicy.DEFAULTS),
        storage.clients(), storage.ranges(), new BlockRegistry(), clock, ThrottleMetrics.NOOP, Runnable::run);

    assertThat(service.check(ip("192.0.2.10")).allowed()).isFalse();
    clock.advance(java.time.Duration.ofMinutes(15));
    assertThat(blockLengthAfter("192.0.2.10", 10)).isEqualTo(java.time.Duration.ofMinutes(60));
  }

  @Test
  void distinctPeopleAreForgottenOnRestartSoTheHeadroomFallsBackToTwofold() throws Exception {
    for (int i = 1; i <= 40; i++) {
      service.recordSuccess(ip("192.0.2.10"), "person-" + i + "@acme.test");
    }
    assertThat(service.explain(ip("192.0.2.10")).client().failureLimit()).as("the cap, x8").isEqualTo(80);
    storage.close();
    storage = ThrottleStorage.open(new ThrottleStorageSettings(dir.resolve("run0"), 10_000, 10_000));
    service = new ThrottleService(ThrottlePolicy.DEFAULTS,
        new com.timereg.gateway.clientip.ClientKeys(com.timereg.gateway.clientip.ClientKeyPolicy.DEFAULTS),
        storage.clients(), storage.ranges(), new BlockRegistry(), clock, ThrottleMetrics.NOOP, Runnable::run);

    KeyState after = service.explain(ip("192.0.2.10")).client();
    assertThat(after.successHeadroom()).as("the last success is persisted").isTrue();
    assertThat(after.recentPeople()).as("the people are not").isZero();
    assertThat(after.failureLimit()).isEqualTo(20);
    service.recordSuccess(ip("192.0.2.10"), "person-1@acme.test");
    service.recordSuccess(ip("192.0.2.10"), "person-2@acme.test");
    assertThat(service.explain(ip("192.0.2.10")).client().failureLimit()).isEqualTo(22);
  }
}
