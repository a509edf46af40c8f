package com.timereg.gateway.breach;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.tls.KeyFileMode;
import com.timereg.hibp.Sha1;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping the gateway while a replaced set waits for its {@code closeGrace} (kept open for lookups that already
 * hold it): BreachSet.close() must close it as well, since its timer never fires once Vert.x stops, which would
 * leave its file handle (and mapping) behind for every reload before a stop.
 */
class BreachSetStopTest {
  private static final Instant BUILT_A = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant BUILT_B = Instant.parse("2026-02-01T00:00:00Z");

  @TempDir Path dir;
  Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    Await.await(vertx.close());
  }

  /** How many of this process's open file descriptors are the file whose fileKey (device, inode) is {@code key}. */
  private static long openHandlesTo(Object key) throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(fd -> {
        try {
          return key.equals(Files.readAttributes(fd, BasicFileAttributes.class).fileKey());
        } catch (IOException | RuntimeException gone) {
          return false; // closed meanwhile, or the listing's own descriptor
        }
      }).count();
    }
  }

  @Test
  void aReplacedSetStillInItsCloseGraceIsClosedByTheStop() throws IOException {
    Path file = dir.resolve("current.set");
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 10, 1, BUILT_A);
    Object first = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    BreachSet set = new BreachSet(vertx,
        new BreachSetSettings(Optional.of(file), Duration.ofHours(1), false, Duration.ofHours(1), true, true),
        BreachSetMetrics.NONE, KeyFileMode::breachSetRefusal);
    Await.await(set.start());
    assertThat(openHandlesTo(first)).as("the set in use is held open").isPositive();

    BreachSetFiles.write(file, Map.of("hunter2", 9_000L), 10, 2, BUILT_B); // renamed over the first
    Await.await(set.refresh());
    assertThat(set.describe()).contains("built 2026-02-01");
    assertThat(openHandlesTo(first)).as("the replaced set, kept open for its grace").isPositive();

    Await.await(set.close());
    assertThat(set.prevalence(Sha1.ofPassword("hunter2"))).isZero();
    assertThat(openHandlesTo(first)).as("handles to the replaced set left open after the stop").isZero();
  }
}
