package com.timereg.gateway.breach;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.tls.KeyFileMode;
import com.timereg.hibp.Sha1;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watched set without a gateway. The periodic look is switched off (an hour) and each test
 * calls {@code refresh()} itself, so nothing depends on timing.
 */
class BreachSetTest {
  private static final Instant BUILT_A = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant BUILT_B = Instant.parse("2026-02-01T00:00:00Z");

  @TempDir Path dir;
  Vertx vertx;
  Path file;
  BreachSet set;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    file = dir.resolve("current.set");
  }

  @AfterEach
  void tearDown() {
    if (set != null) {
      Await.await(set.close());
    }
    Await.await(vertx.close());
  }

  private BreachSet open(BreachSetSettings settings) {
    set = new BreachSet(vertx, settings, BreachSetMetrics.NONE, KeyFileMode::breachSetRefusal);
    Await.await(set.start());
    return set;
  }

  private static BreachSetSettings watching(Path file) {
    return new BreachSetSettings(Optional.of(file), Duration.ofHours(1), false, Duration.ZERO, true, true);
  }

  private static long prevalence(BreachSet set, String password) {
    return set.prevalence(Sha1.ofPassword(password));
  }

  @Test
  void answersFromTheConfiguredSetAndDescribesIt() throws IOException {
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 1_000, 1, BUILT_A);
    open(watching(file));

    assertThat(set.available()).isTrue();
    assertThat(prevalence(set, "hunter2")).isEqualTo(4096);
    assertThat(prevalence(set, "Plum-Anchor-Velvet-42")).isZero();
    assertThat(set.describe()).isEqualTo("1,001 entries, built 2026-01-01T00:00:00Z");
  }

  @Test
  void swapsInAFileRenamedOverTheOneInUse() throws IOException {
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 1_000, 1, BUILT_A);
    open(watching(file));
    assertThat(prevalence(set, "correct horse")).isZero();

    BreachSetFiles.write(file, Map.of("hunter2", 5_000L, "correct horse", 3L), 1_000, 1, BUILT_B);
    Await.await(set.refresh());

    assertThat(prevalence(set, "correct horse")).isEqualTo(2);
    assertThat(set.describe()).isEqualTo("1,002 entries, built 2026-02-01T00:00:00Z");
  }

  @Test
  void keepsTheSetInUseWhenItsReplacementIsDamaged() throws IOException {
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 1_000, 1, BUILT_A);
    open(watching(file));

    Path damaged = dir.resolve("damaged.tmp");
    Files.write(damaged, new byte[4096]);
    Files.move(damaged, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Await.await(set.refresh());

    assertThat(set.available()).isTrue();
    assertThat(prevalence(set, "hunter2")).isEqualTo(4096);
    assertThat(set.describe()).startsWith("1,001 entries, built 2026-01-01T00:00:00Z (")
        .contains("hibp.set-path: cannot open it, see the log").endsWith("; still using this set)");

    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 2_000, 2, BUILT_B);
    Await.await(set.refresh());
    assertThat(set.describe()).isEqualTo("2,001 entries, built 2026-02-01T00:00:00Z");
  }

  /**
   * A file whose header is intact but whose body is damaged (a disk fault, a copy cut and patched) would give
   * wrong answers: a breached password called safe. It is checked whole before use, and refused like an
   * unreadable one.
   */
  @Test
  void aSetWithADamagedBodyIsRefusedAndTheOneInUseKept() throws IOException {
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 1_000, 1, BUILT_A);
    open(watching(file));

    Path damaged = dir.resolve("damaged.tmp");
    BreachSetFiles.write(damaged, Map.of("correct horse", 3L), 1_000, 2, BUILT_B);
    long records;
    try (com.timereg.hibp.HibpSet valid = com.timereg.hibp.HibpSet.open(damaged)) {
      records = valid.header().recordsOffset();
    }
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(damaged,
        java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
      ch.read(one, records);
      one.put(0, (byte) ~one.get(0));
      one.rewind();
      ch.write(one, records);
    }
    Files.move(damaged, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Await.await(set.refresh());

    assertThat(prevalence(set, "correct horse")).as("the damaged set is not used").isZero();
    assertThat(set.describe()).startsWith("1,001 entries, built 2026-01-01T00:00:00Z (")
        .contains("hibp.set-path: it is damaged, see the log").endsWith("; still using this set)");
  }

  /**
   * The description is the {@code hibp-set} readiness detail, which anyone reaching the admin listener reads without
   * credentials (probes, also beyond loopback): like a failed check's, it says what kind of problem there is, not
   * the file's path or the exception's message (paths, OS reasons), which go to the log.
   */
  @Test
  void theDescriptionNamesTheKindOfProblemButNeitherThePathNorTheExceptionMessage() throws IOException {
    Path hidden = Files.createDirectories(dir.resolve("srv-internal-hibp-mount"));
    Path unreadable = hidden.resolve("pwned-2026.set");
    Files.write(unreadable, new byte[4096]);
    open(watching(unreadable));

    assertThat(set.available()).isFalse();
    assertThat(set.describe()).isEqualTo("no breach set (hibp.set-path: cannot open it, see the log): password changes refused")
        .doesNotContain("srv-internal-hibp-mount").doesNotContain("pwned-2026");

    BreachSetFiles.write(unreadable, Map.of("hunter2", 5_000L), 1_000, 1, BUILT_A);
    Await.await(set.refresh());
    Files.delete(unreadable);
    Await.await(set.refresh());
    assertThat(set.describe())
        .isEqualTo("1,001 entries, built 2026-01-01T00:00:00Z (hibp.set-path: file not found, see the log; still using this set)");
  }

  @Test
  void anEmptySetIsRefusedLikeAnUnreadableOneRatherThanCallingEveryPasswordSafe() throws IOException {
    BreachSetFiles.write(file, Map.of(), 0, 1, BUILT_A);
    open(watching(file));

    assertThat(set.available()).isFalse();
    assertThat(set.describe()).startsWith("no breach set (hibp.set-path: ").contains("no entries")
        .endsWith(": password changes refused");

    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 10, 1, BUILT_A);
    Await.await(set.refresh());
    BreachSetFiles.write(file, Map.of(), 0, 2, BUILT_B);
    Await.await(set.refresh());
    assertThat(set.available()).isTrue();
    assertThat(prevalence(set, "hunter2")).isEqualTo(4096);
    assertThat(set.describe()).startsWith("11 entries, built 2026-01-01T00:00:00Z (").contains("no entries");
  }

  @Test
  void aMissingFileRefusesChangesUntilItAppears() throws IOException {
    open(watching(file));

    assertThat(set.available()).isFalse();
    assertThat(set.describe()).isEqualTo("no breach set (hibp.set-path: file not found, see the log): password changes refused");

    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 10, 1, BUILT_A);
    Await.await(set.refresh());
    assertThat(set.available()).isTrue();
    assertThat(prevalence(set, "hunter2")).isEqualTo(4096);
  }

  @Test
  void withoutAPathConfiguredSaysWhatThatMeansForPasswordChanges() {
    open(BreachSetSettings.DEFAULTS);
    assertThat(set.available()).isFalse();
    assertThat(set.describe()).isEqualTo("no breach set: password changes refused");

    BreachSet allowing = new BreachSet(vertx, new BreachSetSettings(Optional.empty(),
        BreachSetSettings.DEFAULT_RELOAD_INTERVAL, true, Duration.ZERO, true, true), BreachSetMetrics.NONE, KeyFileMode::breachSetRefusal);
    assertThat(allowing.describe())
        .isEqualTo("no breach set: password changes allowed without a breach check (hibp.allow-without-set)");
    Await.await(allowing.close());
  }

  @Test
  void closingLeavesNoSet() throws IOException {
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 10, 1, BUILT_A);
    open(watching(file));
    Await.await(set.close());

    assertThat(set.available()).isFalse();
    assertThat(prevalence(set, "hunter2")).isZero();
    set = null;
  }

  /**
   * A set path that names a FIFO (a named pipe) is refused like any file that is not a set: opening one to read
   * blocks until some writer opens it, which would hang the watcher's only thread, and with it the gateway's
   * start (it waits for the first look) and every later look.
   */
  @Test
  void aSetPathNamingAFifoIsRefusedWithoutHangingTheWatcher() throws Exception {
    Path fifo = dir.resolve("current.set");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
    set = new BreachSet(vertx, watching(fifo), BreachSetMetrics.NONE, KeyFileMode::breachSetRefusal);
    Future<Void> started = set.start();
    try {
      Await.await(started);
    } finally {
      if (!started.isComplete()) {
        // Release the watcher's thread, blocked in the open, so the test ends (opening the write end returns at
        // once when a reader is waiting).
        Files.newOutputStream(fifo).close();
      }
    }
    assertThat(set.available()).isFalse();
    assertThat(set.describe()).startsWith("no breach set (hibp.set-path: cannot open it, see the log)");
  }
}
