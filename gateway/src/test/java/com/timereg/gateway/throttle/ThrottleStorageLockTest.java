package com.timereg.gateway.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One gateway per set of persisted maps: a second one opening the same directory would, after a crash of
 * either, recover files the other still has open. The lock is the operating system's, so it holds across
 * processes; within this test's one process, a second open of the directory is refused the same way.
 */
class ThrottleStorageLockTest {
  @TempDir Path dir;

  @Test
  void aSecondGatewayOnTheSameMapsIsRefusedUntilTheFirstHasClosedThem() throws Exception {
    ThrottleStorageSettings settings = new ThrottleStorageSettings(dir, 1000, 1000);
    ThrottleStorage first = ThrottleStorage.open(settings);
    try {
      assertThatThrownBy(() -> ThrottleStorage.open(settings))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("in use by another gateway").hasMessageContaining(dir.toString());
      assertThat(first.clients()).isInstanceOf(ChronicleThrottleStore.class);
    } finally {
      first.close();
    }
    try (ThrottleStorage again = ThrottleStorage.open(settings)) {
      assertThat(again.clients()).isInstanceOf(ChronicleThrottleStore.class);
    }
  }
}
