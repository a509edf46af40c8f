package com.timereg.gateway.breach;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.timereg.hibp.HibpSet;
import com.timereg.hibp.Sha1;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoSetTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  @Test
  void holdsZxcvbnsCommonPasswordsRankedByPrevalenceAndNothingStrong() throws IOException {
    Path file = DemoSet.ensure(dir.resolve("hibp").resolve("demo.set"), CLOCK);

    try (HibpSet set = HibpSet.open(file)) {
      assertThat(set.buildTime()).isEqualTo(CLOCK.instant());
      assertThat(set.entryCount()).isBetween(125_000L, 130_000L);
      assertThat(set.prevalence(Sha1.ofPassword("123456"))).isEqualTo(32_768);
      assertThat(set.prevalence(Sha1.ofPassword("password"))).isGreaterThanOrEqualTo(8_192);
      assertThat(set.prevalence(Sha1.ofPassword("dragon"))).isPositive();
      assertThat(set.prevalence(Sha1.ofPassword("alice-demo-Tidsreg-2026"))).isZero();
      assertThat(set.prevalence(Sha1.ofPassword("Plum-Anchor-Velvet-42"))).isZero();
    }
  }

  @Test
  void reusesAReadableSetAndRebuildsADamagedOne() throws IOException {
    Path file = dir.resolve("demo.set");
    DemoSet.ensure(file, CLOCK);
    FileTime built = Files.getLastModifiedTime(file);
    Object inode = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();

    DemoSet.ensure(file, CLOCK);
    assertThat(Files.getLastModifiedTime(file)).isEqualTo(built);
    assertThat(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey()).isEqualTo(inode);

    Files.write(file, new byte[100]);
    DemoSet.ensure(file, CLOCK);
    try (HibpSet set = HibpSet.open(file)) {
      assertThat(set.prevalence(Sha1.ofPassword("123456"))).isEqualTo(32_768);
    }
  }

  @Test
  void rebuildsASetWhoseBodyIsDamaged() throws IOException {
    // Its header intact, so it opens; the gateway's verification on load would refuse it, and with a reused
    // damaged demo set dev mode refused every password change until someone deleted the file.
    Path file = dir.resolve("demo.set");
    DemoSet.ensure(file, CLOCK);
    long recordAt;
    try (HibpSet set = HibpSet.open(file)) {
      recordAt = set.header().recordsOffset() + 1000;
    }
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) recordAt] ^= 0x10;
    Files.write(file, bytes);

    DemoSet.ensure(file, CLOCK);
    try (HibpSet set = HibpSet.open(file)) {
      assertThatCode(set::verify).doesNotThrowAnyException();
    }
  }
}
