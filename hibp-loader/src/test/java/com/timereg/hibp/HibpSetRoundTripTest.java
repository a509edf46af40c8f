package com.timereg.hibp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HibpSetRoundTripTest {
  private static final Instant BUILT = Instant.parse("2025-03-01T12:00:00Z");

  @TempDir
  Path dir;

  @Test
  void findsEveryAddedHashWithItsClassAndReportsHeaderFacts() throws IOException {
    long[][] hashes = sortedRandomHashes(50_000, 1);
    Path file = write(hashes, HibpSetParameters.forMaxEntries(hashes.length, 1e-10));
    try (HibpSet set = HibpSet.open(file)) {
      assertThat(set.entryCount()).isEqualTo(hashes.length);
      assertThat(set.buildTime()).isEqualTo(BUILT);
      for (long[] h : hashes) {
        assertThat(set.prevalence(bytes(h))).isEqualTo(PrevalenceClass.representative(
            PrevalenceClass.of(h[2], 4)));
      }
      set.verify();
    }
  }

  @Test
  void absentHashesAreNotFoundAtTheDesignRate() throws IOException {
    long[][] hashes = sortedRandomHashes(20_000, 2);
    Path file = write(hashes, HibpSetParameters.forMaxEntries(hashes.length, 1e-10));
    SplittableRandom random = new SplittableRandom(99);
    try (HibpSet set = HibpSet.open(file)) {
      for (int i = 0; i < 100_000; i++) {
        assertThat(set.prevalenceClass(random.nextLong(), random.nextLong())).isEqualTo(-1);
      }
    }
  }

  @Test
  void falsePositiveRateMatchesEntriesOverBucketsTimesFingerprintSpace() throws IOException {
    // With 8-bit fingerprints and one bucket per entry the rate is 1/256: measurable in a unit test.
    long[][] hashes = sortedRandomHashes(20_000, 3);
    HibpSetParameters p = new HibpSetParameters(hashes.length, 8, 4);
    Path file = write(hashes, p);
    SplittableRandom random = new SplittableRandom(5);
    int lookups = 400_000;
    int hits = 0;
    try (HibpSet set = HibpSet.open(file)) {
      for (int i = 0; i < lookups; i++) {
        if (set.prevalenceClass(random.nextLong(), random.nextLong()) >= 0) {
          hits++;
        }
      }
      double expected = set.header().falsePositiveRate();
      assertThat(expected).isCloseTo(1 / 256.0, org.assertj.core.data.Percentage.withPercentage(1));
      // 1562 expected hits; 5 standard deviations is about 200.
      assertThat((double) hits).isBetween(expected * lookups - 200, expected * lookups + 200);
    }
  }

  @Test
  void hashesSharingBucketAndFingerprintBecomeOneEntryWithTheHigherClass() throws IOException {
    // One bucket and 8-bit fingerprints: hashes equal in their first 8 bits collide.
    long a = 0x1200_0000_0000_0000L;
    long[][] hashes = {{a, 0, 3}, {a + 1, 0, 900}, {a + 2, 0, 1}, {0x1300_0000_0000_0000L, 0, 1}};
    Path file = write(hashes, new HibpSetParameters(1, 8, 4));
    try (HibpSet set = HibpSet.open(file)) {
      assertThat(set.entryCount()).isEqualTo(2);
      assertThat(set.prevalenceClass(a + 5, 0)).isEqualTo(PrevalenceClass.of(900, 4));
      set.verify();
    }
  }

  @Test
  void emptyAndSparseBucketsAcrossManyBlocksStayAddressable() throws IOException {
    // Far more buckets than entries: long runs of empty buckets span many 256-bucket blocks.
    long[][] hashes = sortedRandomHashes(300, 4);
    Path file = write(hashes, new HibpSetParameters(1_000_000, 20, 4));
    try (HibpSet set = HibpSet.open(file)) {
      for (long[] h : hashes) {
        assertThat(set.prevalenceClass(h[0], h[1])).isEqualTo(PrevalenceClass.of(h[2], 4));
      }
      set.verify();
    }
  }

  @Test
  void crowdedBucketsLongerThanABitmapWordAreSearched() throws IOException {
    // Few buckets: each holds hundreds of entries, so bucket runs cross 64-bit bitmap words.
    long[][] hashes = sortedRandomHashes(5_000, 6);
    Path file = write(hashes, new HibpSetParameters(7, 40, 4));
    try (HibpSet set = HibpSet.open(file)) {
      for (long[] h : hashes) {
        assertThat(set.prevalenceClass(h[0], h[1])).isEqualTo(PrevalenceClass.of(h[2], 4));
      }
      set.verify();
    }
  }

  @Test
  void blocksWhoseBitmapOverflowsAreFoundAmongOrdinaryOnes() throws IOException {
    // Uniform hashes plus a crowd in the first 1/4096 of the hash space: the first block's bitmap cannot
    // fit its 960 bits and moves to the overflow section; its neighbours stay inline.
    SplittableRandom r = new SplittableRandom(11);
    long[][] uniform = sortedRandomHashes(20_000, 10);
    long[][] hashes = Arrays.copyOf(uniform, 23_000);
    for (int i = 20_000; i < hashes.length; i++) {
      hashes[i] = new long[] {r.nextLong() >>> 12, r.nextLong(), 1 + r.nextLong(1 << (i % 20))};
    }
    Arrays.sort(hashes, (x, y) -> {
      int c = Long.compareUnsigned(x[0], y[0]);
      return c != 0 ? c : Long.compareUnsigned(x[1], y[1]);
    });
    Path file = write(hashes, new HibpSetParameters(23_000, 33, 4));
    try (HibpSet set = HibpSet.open(file)) {
      assertThat(set.header().overflowBlocks()).isPositive();
      assertThat(set.header().overflowBlocks()).isLessThan(HibpSetFormat.blocks(23_000, 442));
      for (long[] h : hashes) {
        assertThat(set.prevalenceClass(h[0], h[1])).isEqualTo(PrevalenceClass.of(h[2], 4));
      }
      set.verify();
    }
  }

  @Test
  void writerRejectsHashesOutOfOrder() throws IOException {
    try (HibpSetWriter w = HibpSetWriter.create(dir.resolve("x.hibp"), new HibpSetParameters(100, 33, 4), BUILT)) {
      w.add(0x5000_0000_0000_0000L, 0, 1);
      assertThatThrownBy(() -> w.add(0x4000_0000_0000_0000L, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(dir.resolve("x.hibp")).doesNotExist();
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void closedSetRefusesLookups() throws IOException {
    Path file = write(sortedRandomHashes(10, 7), new HibpSetParameters(10, 33, 4));
    HibpSet set = HibpSet.open(file);
    set.close();
    assertThatThrownBy(() -> set.prevalence(new byte[20])).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void rejectsAHashThatIsNotTwentyBytes() throws IOException {
    Path file = write(sortedRandomHashes(10, 8), new HibpSetParameters(10, 33, 4));
    try (HibpSet set = HibpSet.open(file)) {
      assertThatThrownBy(() -> set.prevalence(new byte[16])).isInstanceOf(IllegalArgumentException.class);
    }
  }

  private Path write(long[][] hashes, HibpSetParameters p) throws IOException {
    Path file = dir.resolve("set-" + System.nanoTime() + ".hibp");
    try (HibpSetWriter w = HibpSetWriter.create(file, p, BUILT)) {
      for (long[] h : hashes) {
        w.add(h[0], h[1], h[2]);
      }
      w.finish();
    }
    return file;
  }

  /** {hi, lo, count} rows sorted by unsigned (hi, lo). */
  static long[][] sortedRandomHashes(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    long[][] rows = new long[n][];
    for (int i = 0; i < n; i++) {
      rows[i] = new long[] {r.nextLong(), r.nextLong(), 1 + r.nextLong(1 << (i % 20))};
    }
    Arrays.sort(rows, (x, y) -> {
      int c = Long.compareUnsigned(x[0], y[0]);
      return c != 0 ? c : Long.compareUnsigned(x[1], y[1]);
    });
    return rows;
  }

  static byte[] bytes(long[] h) {
    return ByteBuffer.allocate(20).putLong(h[0]).putLong(h[1]).putInt(0x5A5A5A5A).array();
  }
}
