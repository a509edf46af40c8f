package com.timereg.gateway.breach;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.testsupport.Await;
import com.timereg.hibp.HibpSet;
import com.timereg.hibp.Sha1;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A set file written over in place (same inode: {@code cp} or {@code cat >} instead of the loader's rename) is
 * not "the set loaded before": its mapping now shows the new bytes. When the new version cannot be used, the
 * watcher must not keep answering from that mapping (a breached password called safe), but fail closed.
 */
class BreachSetRewrittenInPlaceTest {
  @TempDir Path dir;
  Vertx vertx;
  BreachSet set;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    if (set != null) {
      Await.await(set.close());
    }
    Await.await(vertx.close());
  }

  @Test
  void aSetOverwrittenInPlaceWithADamagedFileIsNoLongerUsed() throws IOException {
    Path file = dir.resolve("current.set");
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 1_000, 1, Instant.parse("2026-01-01T00:00:00Z"));
    set = new BreachSet(vertx,
        new BreachSetSettings(Optional.of(file), Duration.ofHours(1), false, Duration.ZERO, true, true),
        BreachSetMetrics.NONE);
    Await.await(set.start());
    assertThat(set.prevalence(Sha1.ofPassword("hunter2"))).isEqualTo(4096);

    // A larger set, its body damaged, copied over the file in use without a rename.
    Path damaged = dir.resolve("damaged.set");
    BreachSetFiles.write(damaged, Map.of("correct horse", 3L), 3_000, 2, Instant.parse("2026-02-01T00:00:00Z"));
    long records;
    try (HibpSet valid = HibpSet.open(damaged)) {
      records = valid.header().recordsOffset();
    }
    byte[] bytes = Files.readAllBytes(damaged);
    bytes[(int) records] = (byte) ~bytes[(int) records];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(ByteBuffer.wrap(bytes));
    }
    Await.await(set.refresh());

    assertThat(set.available()).as("the mapping in use shows the damaged bytes now").isFalse();
    assertThat(set.describe()).startsWith("no breach set (" + file + ": ").endsWith(": password changes refused");
  }
}
