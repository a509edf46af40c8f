package com.timereg.hibp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parse workers encode slices of the input independently and the writer joins them: where the input is
 * cut must not show in the file, not even when the hashes on both sides of a cut share bucket and
 * fingerprint and merge into one entry.
 */
class EncodedSliceTest {
  private static final Instant BUILT = Instant.parse("2025-03-01T12:00:00Z");
  /** Few buckets and short fingerprints: neighbouring hashes often merge, and buckets often stay empty. */
  private static final HibpSetParameters CROWDED = new HibpSetParameters(300, 8, 4, 16);

  @TempDir
  Path dir;

  @Test
  void whereTheHashesAreCutIntoSlicesDoesNotChangeTheFile() throws IOException {
    // About 1,000 entries per block of 16 buckets: some blocks overflow their 960 bits as well.
    long[][] hashes = crowdedHashes(20_000, 1);
    Path added = writeByAdd(hashes, "add.hibp");
    try (HibpSet set = HibpSet.open(added)) {
      assertThat(set.header().overflowBlocks()).isPositive();
      assertThat(set.entryCount()).isLessThan(hashes.length);
      set.verify();
    }
    byte[] oneByOne = Files.readAllBytes(added);
    SplittableRandom random = new SplittableRandom(2);
    for (int round = 0; round < 20; round++) {
      List<Integer> cuts = new ArrayList<>();
      for (int at = 0; at < hashes.length; ) {
        // Empty slices, single hashes and long runs, so that cuts fall inside and between merging pairs.
        at += random.nextInt(4) == 0 ? random.nextInt(3) : random.nextInt(1, 2_000);
        cuts.add(Math.min(at, hashes.length));
      }
      Path file = writeBySlices(hashes, cuts, "slices.hibp");
      assertThat(Files.readAllBytes(file)).as("cuts %s", cuts).isEqualTo(oneByOne);
      Files.delete(file);
    }
  }

  @Test
  void mergesHashesThatShareBucketAndFingerprintAcrossACut() throws IOException {
    long hi = 0x1234_5678_9ABC_DEF0L;
    // The first three differ only in their low bits: same bucket, same fingerprint; the fourth is far off.
    long[][] hashes = {{hi, 1, 3}, {hi, 2, 40}, {hi, 3, 5}, {hi + (1L << 60), 0, 1}};
    for (List<Integer> cuts : List.of(List.of(1, 4), List.of(1, 2, 4), List.of(2, 3, 4), List.of(3, 4))) {
      Path file = writeBySlices(hashes, cuts, "merge.hibp");
      try (HibpSet set = HibpSet.open(file)) {
        assertThat(set.entryCount()).as("cuts %s", cuts).isEqualTo(2);
        assertThat(set.prevalenceClass(hi, 2)).as("cuts %s", cuts).isEqualTo(PrevalenceClass.of(40, 4));
        assertThat(set.header().classHistogram()[PrevalenceClass.of(40, 4)]).isEqualTo(1);
        assertThat(set.header().classHistogram()[0]).isEqualTo(1);
        set.verify();
      }
      Files.delete(file);
    }
  }

  @Test
  void refusesASliceThatStartsBeforeTheHashesAppendedSoFar() throws IOException {
    try (HibpSetWriter w = HibpSetWriter.create(dir.resolve("x.hibp"), new HibpSetParameters(100, 33, 4), BUILT)) {
      EncodedSlice later = w.newSlice(1);
      later.add(0x5000_0000_0000_0000L, 0, 1);
      w.append(later);
      EncodedSlice earlier = w.newSlice(1);
      earlier.add(0x4000_0000_0000_0000L, 0, 1);
      assertThatThrownBy(() -> w.append(earlier)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  private Path writeByAdd(long[][] hashes, String name) throws IOException {
    Path file = dir.resolve(name);
    try (HibpSetWriter w = HibpSetWriter.create(file, CROWDED, BUILT)) {
      for (long[] h : hashes) {
        w.add(h[0], h[1], h[2]);
      }
      w.finish();
    }
    return file;
  }

  /** Appends the hashes as slices ending at each of {@code cuts} (ascending, the last one the length). */
  private Path writeBySlices(long[][] hashes, List<Integer> cuts, String name) throws IOException {
    Path file = dir.resolve(name);
    try (HibpSetWriter w = HibpSetWriter.create(file, CROWDED, BUILT)) {
      int from = 0;
      for (int to : cuts) {
        EncodedSlice s = w.newSlice(Math.max(1, to - from));
        for (int i = from; i < to; i++) {
          s.add(hashes[i][0], hashes[i][1], hashes[i][2]);
        }
        w.append(s);
        from = to;
      }
      w.finish();
    }
    return file;
  }

  /** Sorted hashes, many of them close enough to share bucket and fingerprint with their neighbour. */
  private static long[][] crowdedHashes(int n, long seed) {
    long[][] rows = HibpSetRoundTripTest.sortedRandomHashes(n, seed);
    List<long[]> distinct = new ArrayList<>();
    for (long[] row : rows) {
      if (distinct.isEmpty() || distinct.get(distinct.size() - 1)[0] != row[0]
          || distinct.get(distinct.size() - 1)[1] != row[1]) {
        distinct.add(row);
      }
    }
    return distinct.toArray(new long[0][]);
  }
}
