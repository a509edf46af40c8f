package com.timereg.gateway.breach;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.password.PasswordPolicy;
import com.timereg.gateway.password.PasswordPolicyChecker;
import com.timereg.gateway.password.PolicyCheck;
import com.timereg.gateway.password.StrengthEstimator;
import com.timereg.gateway.password.UserContext;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.tls.KeyFileMode;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The set file changed in place (an operator's {@code cp} or {@code cat >} over the file in use, instead of the
 * loader's rename): the gateway has that very inode mapped, so its mapping shows whatever is written there.
 */
class BreachSetChangedInPlaceTest {
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

  /** Puts the set in {@code file} in use (verified on load; looked at again only when a test asks). */
  private void start(Path file) {
    set = new BreachSet(vertx,
        new BreachSetSettings(Optional.of(file), Duration.ofHours(1), false, Duration.ZERO, true, true),
        BreachSetMetrics.NONE, KeyFileMode::breachSetRefusal);
    Await.await(set.start());
  }

  /**
   * A set file cut short in place (an operator's {@code cp new.set current.set} truncates the inode the gateway
   * has mapped before writing it again): every page past the new end faults (SIGBUS), which the JVM turns into an
   * InternalError on the looking-up thread. The breach check must then fail closed as documented (the reason
   * {@code BREACH_CHECK_UNAVAILABLE}, answered 503 {@code breach_check_unavailable}), not throw an Error through
   * the policy check.
   */
  @Test
  void aSetFileTruncatedInPlaceFailsTheBreachCheckClosedInsteadOfThrowingAnError() throws IOException {
    Path file = dir.resolve("current.set");
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 200_000, 1, Instant.parse("2026-01-01T00:00:00Z"));
    start(file);
    PasswordPolicyChecker checker = new PasswordPolicyChecker(new StrengthEstimator(64, List.of()));
    assertThat(checker.check("hunter2", PasswordPolicy.DEFAULTS, UserContext.NONE, set).pwned()).isTrue();

    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(4096);
    }
    // Before the watcher's next look: that is when lookups still go to the mapping in use.

    for (String candidate : List.of("hunter2", "Plum-Anchor-Velvet-42", "Original-Quartz-Meadow-11",
        "correct horse battery staple")) {
      PolicyCheck check = checker.check(candidate, PasswordPolicy.DEFAULTS, UserContext.NONE, set);
      assertThat(check.reasons()).as(candidate)
          .anyMatch(r -> r.kind() == PolicyCheck.Kind.BREACH_CHECK_UNAVAILABLE);
    }
  }

  /**
   * A set file written over in place (same inode: {@code cp} or {@code cat >} instead of the loader's rename) is
   * not "the set loaded before": its mapping now shows the new bytes. When the new version cannot be used, the
   * watcher must not keep answering from that mapping (a breached password called safe), but fail closed.
   */
  @Test
  void aSetOverwrittenInPlaceWithADamagedFileIsNoLongerUsed() throws IOException {
    Path file = dir.resolve("current.set");
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 1_000, 1, Instant.parse("2026-01-01T00:00:00Z"));
    start(file);
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
    assertThat(set.describe()).startsWith("no breach set (hibp.set-path: ").endsWith(": password changes refused");
  }

  /**
   * A set file written over in place with another valid set (same inode, same shape) before the watcher's next
   * look: the mapping in use shows the new, unchecked bytes at once, so a lookup in that window must not answer
   * from them (here the new bytes do not hold "hunter2": a breached password would be called safe) but fail
   * closed until the watcher has opened and checked the new version.
   */
  @Test
  void aSetOverwrittenInPlaceIsNotAnsweredFromBeforeTheWatcherLooksAgain() throws IOException {
    Path file = dir.resolve("current.set");
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 1_000, 1, Instant.parse("2026-01-01T00:00:00Z"));
    Path other = dir.resolve("other.set");
    BreachSetFiles.write(other, Map.of("Plum-Anchor-Velvet-42", 5_000L), 1_000, 1,
        Instant.parse("2026-02-01T00:00:00Z"));
    start(file);
    PasswordPolicyChecker checker = new PasswordPolicyChecker(new StrengthEstimator(64, List.of()));
    assertThat(checker.check("hunter2", PasswordPolicy.DEFAULTS, UserContext.NONE, set).pwned()).isTrue();

    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(ByteBuffer.wrap(Files.readAllBytes(other)));
    }
    // Before the watcher's next look.

    PolicyCheck check = checker.check("hunter2", PasswordPolicy.DEFAULTS, UserContext.NONE, set);
    assertThat(check.reasons()).as("hunter2, from a mapping that shows unchecked bytes")
        .anyMatch(r -> r.kind() == PolicyCheck.Kind.BREACH_CHECK_UNAVAILABLE);

    // Once the watcher has opened and checked the new version, it answers from it.
    Await.await(set.refresh());
    assertThat(set.prevalence(Sha1.ofPassword("Plum-Anchor-Velvet-42"))).isEqualTo(4096);
    assertThat(set.prevalence(Sha1.ofPassword("hunter2"))).isZero();
  }
}
