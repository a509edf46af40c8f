package com.timereg.hibp;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorruptionTest {
  @TempDir
  Path dir;

  @Test
  void intactSetVerifies() throws IOException {
    Path file = build();
    try (HibpSet set = HibpSet.open(file)) {
      assertThatCode(set::verify).doesNotThrowAnyException();
    }
  }

  @Test
  void flippedBitInTheRecordsFailsVerification() throws IOException {
    Path file = build();
    // Records fill each page from its end down.
    flip(file, HibpSetFormat.pagesOffset() + 2 * HibpSetFormat.PAGE_BYTES - 100);
    try (HibpSet set = HibpSet.open(file)) {
      assertThatThrownBy(set::verify).isInstanceOf(CorruptSetException.class);
    }
  }

  @Test
  void flippedBitInAPageBitmapFailsVerification() throws IOException {
    Path file = build();
    flip(file, HibpSetFormat.pagesOffset() + 3 * HibpSetFormat.PAGE_BYTES + 40);
    try (HibpSet set = HibpSet.open(file)) {
      assertThatThrownBy(set::verify).isInstanceOf(CorruptSetException.class);
    }
  }

  @Test
  void flippedBitInAPageHeadFailsVerification() throws IOException {
    Path file = build();
    flip(file, HibpSetFormat.pagesOffset() + 5 * HibpSetFormat.PAGE_BYTES + 1);
    try (HibpSet set = HibpSet.open(file)) {
      assertThatThrownBy(set::verify).isInstanceOf(CorruptSetException.class);
    }
  }

  @Test
  void flippedBitInThePageTableFailsVerification() throws IOException {
    Path file = build();
    long at;
    try (HibpSet set = HibpSet.open(file)) {
      at = set.header().tableOffset() + 2 * Integer.BYTES;
    }
    flip(file, at);
    try (HibpSet set = HibpSet.open(file)) {
      assertThatThrownBy(set::verify).isInstanceOf(CorruptSetException.class).hasMessageContaining("page");
    }
  }

  @Test
  void pageTableWhoseChecksumStillMatchesButWhichBreaksTheWindowFailsVerification() throws IOException {
    // A damaged window in an otherwise intact header would send lookups to the wrong page.
    Path file = build();
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(44, 0);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, HibpSetFormat.HEADER_SIZE - 4);
    b.putInt(HibpSetFormat.HEADER_SIZE - 4, (int) crc.getValue());
    Files.write(file, bytes);
    try (HibpSet set = HibpSet.open(file)) {
      assertThatThrownBy(set::verify).isInstanceOf(CorruptSetException.class).hasMessageContaining("window");
    }
  }

  @Test
  void versionTwoSetIsRefusedWithAdviceToRebuild() throws IOException {
    Path file = build();
    byte[] bytes = Files.readAllBytes(file);
    bytes[8] = 2;
    Files.write(file, bytes);
    assertThatThrownBy(() -> HibpSet.open(file)).isInstanceOf(CorruptSetException.class)
        .hasMessageContaining("version 2").hasMessageContaining("rebuild");
  }

  @Test
  void versionOneSetIsRefusedWithAdviceToRebuild() throws IOException {
    Path file = build();
    byte[] bytes = Files.readAllBytes(file);
    bytes[8] = 1;
    Files.write(file, bytes);
    assertThatThrownBy(() -> HibpSet.open(file)).isInstanceOf(CorruptSetException.class)
        .hasMessageContaining("version 1").hasMessageContaining("rebuild");
  }

  @Test
  void damagedHeaderIsRefusedOnOpen() throws IOException {
    Path file = build();
    flip(file, 20);
    assertThatThrownBy(() -> HibpSet.open(file)).isInstanceOf(CorruptSetException.class)
        .hasMessageContaining("header checksum");
  }

  @Test
  void truncatedFileIsRefusedOnOpen() throws IOException {
    Path file = build();
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 8));
    assertThatThrownBy(() -> HibpSet.open(file)).isInstanceOf(CorruptSetException.class)
        .hasMessageContaining("truncated");
  }

  @Test
  void otherFilesAreRefusedOnOpen() throws IOException {
    Path file = Files.writeString(dir.resolve("notes.txt"), "x".repeat(1000));
    assertThatThrownBy(() -> HibpSet.open(file)).isInstanceOf(CorruptSetException.class)
        .hasMessageContaining("not a HIBP set");
  }

  /** 20,000 entries: 24 pages, a window of a few pages. */
  private Path build() throws IOException {
    Path file = dir.resolve("set.hibp");
    long[][] hashes = HibpSetRoundTripTest.sortedRandomHashes(20_000, 9);
    try (HibpSetWriter w = HibpSetWriter.create(file, HibpSetParameters.forMaxEntries(20_000, 1e-10),
        Instant.EPOCH)) {
      for (long[] h : hashes) {
        w.add(h[0], h[1], h[2]);
      }
      w.finish();
    }
    return file;
  }

  private static void flip(Path file, long at) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) at] ^= 0x10;
    Files.write(file, bytes);
  }
}
