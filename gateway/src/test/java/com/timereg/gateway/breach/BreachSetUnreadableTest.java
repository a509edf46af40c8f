package com.timereg.gateway.breach;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.tls.KeyFileMode;
import com.timereg.hibp.CorruptSetException;
import com.timereg.hibp.HibpSet;
import com.timereg.hibp.Sha1;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A set file the gateway cannot open for a reason outside the file's bytes: a set built by root as root:root
 * rw------- (the gateway runs as its own user), fixed with {@code chown} or {@code chmod}. Neither changes the
 * file's identity (inode, modification time, size), which is all the watcher compared, so the fixed file was never
 * opened again: password changes stayed refused, and readiness said "cannot open it", until a restart or a touch.
 * Tests run as root, whom modes do not stop, so the open is denied through BreachSet's package-private opener, as
 * {@link HibpSet#open} would deny it ({@link AccessDeniedException} from the channel's open).
 */
class BreachSetUnreadableTest {
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
  void aSetThatCouldNotBeOpenedIsOpenedOnceItsPermissionsAreFixedWithoutAnyChangeToItsIdentity()
      throws IOException {
    Path file = dir.resolve("current.set");
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 20_000, 1, Instant.parse("2026-01-01T00:00:00Z"));
    AtomicBoolean denied = new AtomicBoolean(true);
    AtomicInteger opens = new AtomicInteger();
    CountingMetrics metrics = new CountingMetrics();
    set = new BreachSet(vertx,
        new BreachSetSettings(Optional.of(file), Duration.ofHours(1), false, Duration.ZERO, false, true),
        metrics, KeyFileMode::breachSetRefusal, (path, mapping) -> {
          opens.incrementAndGet();
          if (denied.get()) {
            throw new AccessDeniedException(path.toString());
          }
          return HibpSet.open(path, mapping);
        });
    Await.await(set.start());
    assertThat(set.available()).isFalse();
    assertThat(set.describe()).contains("hibp.set-path: cannot open it");
    FileIdentity before = FileIdentity.of(file);

    Await.await(set.refresh()); // a tick before the fix: tried again, not reported again
    assertThat(set.available()).isFalse();
    assertThat(metrics.failed).as("one failure reported for the file").hasValue(1);

    denied.set(false); // chmod 0644, or chown root:gateway
    Await.await(set.refresh()); // the next tick

    assertThat(FileIdentity.of(file).sameAs(before)).as("the fix left the identity as it was").isTrue();
    assertThat(set.available()).as(set.describe()).isTrue();
    assertThat(set.describe()).startsWith("20,001 entries").doesNotContain("cannot open it");
    assertThat(set.prevalence(Sha1.ofPassword("hunter2"))).isPositive();
    assertThat(metrics.failed).hasValue(1);
    int opened = opens.get();
    Await.await(set.refresh());
    assertThat(opens).as("the set in use, unchanged, is not opened again").hasValue(opened);
  }

  @Test
  void aDamagedSetIsNotReadAgainEveryTickWhileItIsUnchanged() throws IOException {
    Path file = dir.resolve("current.set");
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 20_000, 1, Instant.parse("2026-01-01T00:00:00Z"));
    AtomicInteger opens = new AtomicInteger();
    set = new BreachSet(vertx,
        new BreachSetSettings(Optional.of(file), Duration.ofHours(1), false, Duration.ZERO, false, true),
        BreachSetMetrics.NONE, KeyFileMode::breachSetRefusal, (path, mapping) -> {
          opens.incrementAndGet();
          throw new CorruptSetException("header checksum mismatch");
        });
    Await.await(set.start());
    Await.await(set.refresh());
    Await.await(set.refresh());

    assertThat(set.describe()).contains("hibp.set-path: cannot open it");
    assertThat(opens).as("its bytes are what they were: opened once").hasValue(1);
  }

  private static final class CountingMetrics implements BreachSetMetrics {
    final AtomicInteger failed = new AtomicInteger();

    @Override
    public void lookup(Lookup result) {}

    @Override
    public void inUse(long entries) {}

    @Override
    public void loadFailed() {
      failed.incrementAndGet();
    }
  }
}
