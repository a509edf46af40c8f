package com.timereg.gateway.breach;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.tls.KeyFileMode;
import com.timereg.hibp.Sha1;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A set that someone other than the gateway's owner could have put in place (the file writable by group or others, or
 * renamed into a directory others may write without the sticky bit) is not taken: it could be a valid set without the
 * breached hashes, calling every breached password safe. Real files, a real BreachSet, the gateway's own rule.
 */
class BreachSetPlaceTest {
  private static final Instant BUILT_A = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant BUILT_B = Instant.parse("2026-02-01T00:00:00Z");

  @TempDir Path dir;
  private Path sets;
  private Path file;
  private Vertx vertx;
  private BreachSet set;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(BreachSet.class);

  @BeforeEach
  void setUp() throws Exception {
    appender.start();
    logger.addAppender(appender);
    vertx = Vertx.vertx();
    sets = Files.createDirectory(dir.resolve("sets"));
    Files.setPosixFilePermissions(sets, PosixFilePermissions.fromString("rwxr-xr-x"));
    file = sets.resolve("current.set");
  }

  @AfterEach
  void tearDown() {
    logger.detachAppender(appender);
    if (set != null) {
      Await.await(set.close());
    }
    Await.await(vertx.close());
  }

  private void open() {
    set = new BreachSet(vertx, new BreachSetSettings(Optional.of(file), Duration.ofHours(1), false, Duration.ZERO,
        true, true), BreachSetMetrics.NONE, KeyFileMode::breachSetRefusal);
    Await.await(set.start());
  }

  private long prevalence(String password) {
    return set.prevalence(Sha1.ofPassword(password));
  }

  private List<String> errors() {
    synchronized (appender) {
      return appender.list.stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
          .toList();
    }
  }

  /** A set without "hunter2", written outside and renamed over the one in use, as anyone able to write there could. */
  private void renameInASetWithoutTheBreachedPassword() throws Exception {
    Path outside = Files.createDirectories(dir.resolve("elsewhere")).resolve("forged.set");
    BreachSetFiles.write(outside, Map.of("something else", 1L), 1_000, 2, BUILT_B);
    Files.move(outside, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void aSetRenamedIntoADirectoryOthersMayWriteIsNotTakenUntilTheDirectoryIsFixed() throws Exception {
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 1_000, 1, BUILT_A);
    open();
    assertThat(prevalence("hunter2")).isEqualTo(4096);

    Files.setPosixFilePermissions(sets, PosixFilePermissions.fromString("rwxrwxrwx"));
    renameInASetWithoutTheBreachedPassword();
    Await.await(set.refresh());
    Await.await(set.refresh());

    assertThat(prevalence("hunter2")).as("the set in use stays").isEqualTo(4096);
    assertThat(set.describe()).startsWith("1,001 entries, built 2026-01-01T00:00:00Z (")
        .contains("hibp.set-path: refused, see the log").endsWith("; still using this set)");
    assertThat(errors()).as("one ERROR, not one per look").singleElement().asString()
        .contains(file.toString()).contains("in directory " + sets).contains("0777").contains("chmod o-w " + sets)
        .contains("still using the set loaded before");

    Files.setAttribute(sets, "unix:mode", 01777);
    Await.await(set.refresh());
    assertThat(set.describe()).as("with the sticky bit others cannot rename over the gateway's owner's file")
        .isEqualTo("1,001 entries, built 2026-02-01T00:00:00Z");
    assertThat(prevalence("hunter2")).isZero();
    assertThat(errors()).hasSize(1);
  }

  @Test
  void aSetFileGroupOrOthersMayWriteIsNotTakenAtStartNorOnceReplacedUntilItsModeIsFixed() throws Exception {
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 1_000, 1, BUILT_A);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-r--"));
    open();

    assertThat(set.available()).as("refused at start: no set, password changes refused").isFalse();
    assertThat(set.describe()).isEqualTo("no breach set (hibp.set-path: refused, see the log): password changes "
        + "refused");
    assertThat(errors()).singleElement().asString().contains("breach set file " + file)
        .contains("writable by group or others (mode 0664)").contains("chmod go-w " + file);

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    Await.await(set.refresh());
    assertThat(prevalence("hunter2")).as("the same file, its mode fixed, is taken").isEqualTo(4096);

    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 2_000, 3, BUILT_B);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--rw-"));
    Await.await(set.refresh());
    assertThat(set.describe()).startsWith("1,001 entries, built 2026-01-01T00:00:00Z (");
    assertThat(errors()).hasSize(2);
  }

  @Test
  void readableByOthersIsFineForPublicData() throws Exception {
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 1_000, 1, BUILT_A);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
    open();
    assertThat(prevalence("hunter2")).isEqualTo(4096);
    assertThat(errors()).isEmpty();
  }
}
