package com.timereg.hibp;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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
    long at;
    try (HibpSet set = HibpSet.open(file)) {
      at = set.header().recordsOffset() + 100;
    }
    flip(file, at);
    try (HibpSet set = HibpSet.open(file)) {
      assertThatThrownBy(set::verify).isInstanceOf(CorruptSetException.class);
    }
  }

  @Test
  void flippedBitInABlockBitmapFailsVerification() throws IOException {
    Path file = build();
    long at;
    try (HibpSet set = HibpSet.open(file)) {
      at = set.header().blocksOffset() + 3 * HibpSetFormat.BLOCK_BYTES + 40;
    }
    flip(file, at);
    try (HibpSet set = HibpSet.open(file)) {
      assertThatThrownBy(set::verify).isInstanceOf(CorruptSetException.class);
    }
  }

  @Test
  void flippedBitInABlockHeadFailsVerification() throws IOException {
    Path file = build();
    long at;
    try (HibpSet set = HibpSet.open(file)) {
      at = set.header().blocksOffset() + 5 * HibpSetFormat.BLOCK_BYTES + 1;
    }
    flip(file, at);
    try (HibpSet set = HibpSet.open(file)) {
      assertThatThrownBy(set::verify).isInstanceOf(CorruptSetException.class);
    }
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

  /**
   * What a power cut can leave under a set's name when its bytes were not forced to disk before the rename (or a
   * copy cut short): an empty file, a file of the right length but zeros (the size reached the disk, the data did
   * not), or the header without the body. Each is refused as not a set, by open or by the verification the gateway
   * runs on load, before any lookup could call a breached password safe.
   */
  @Test
  void whatAPowerCutCanLeaveUnderTheSetsNameIsRefused() throws IOException {
    Path file = build();
    byte[] bytes = Files.readAllBytes(file);

    Files.write(file, new byte[0]);
    assertThatThrownBy(() -> HibpSet.open(file)).isInstanceOf(CorruptSetException.class)
        .hasMessageContaining("not a HIBP set file (0 bytes)");

    Files.write(file, new byte[bytes.length]);
    assertThatThrownBy(() -> HibpSet.open(file)).isInstanceOf(CorruptSetException.class)
        .hasMessageContaining("not a HIBP set file (bad magic)");

    byte[] headerOnly = new byte[bytes.length];
    System.arraycopy(bytes, 0, headerOnly, 0, HibpSetFormat.HEADER_SIZE);
    Files.write(file, headerOnly);
    try (HibpSet set = HibpSet.open(file)) {
      assertThatThrownBy(set::verify).isInstanceOf(CorruptSetException.class);
    }

    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> HibpSet.open(file)).isInstanceOf(CorruptSetException.class)
        .hasMessageContaining("truncated");
  }

  @Test
  void otherFilesAreRefusedOnOpen() throws IOException {
    Path file = Files.writeString(dir.resolve("notes.txt"), "x".repeat(1000));
    assertThatThrownBy(() -> HibpSet.open(file)).isInstanceOf(CorruptSetException.class)
        .hasMessageContaining("not a HIBP set");
  }

  private Path build() throws IOException {
    Path file = dir.resolve("set.hibp");
    long[][] hashes = HibpSetRoundTripTest.sortedRandomHashes(5_000, 9);
    try (HibpSetWriter w = HibpSetWriter.create(file, HibpSetParameters.forMaxEntries(5_000, 1e-10),
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
