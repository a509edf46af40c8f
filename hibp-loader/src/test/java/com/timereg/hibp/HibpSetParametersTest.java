package com.timereg.hibp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HibpSetParametersTest {
  @Test
  void defaultRateChoosesThirtyThreeBitFingerprintsForTwoBillionEntries() {
    long n = 2_000_000_000L;
    HibpSetParameters p = HibpSetParameters.forMaxEntries(n, 1e-10);
    assertThat(p.fingerprintBits()).isEqualTo(33);
    assertThat(p.falsePositiveRate(n)).isLessThanOrEqualTo(1e-10);
    assertThat((double) p.bucketCount() / n).isCloseTo(1.164, org.assertj.core.data.Offset.offset(0.001));
  }

  @Test
  void rateHoldsForAnyCountUpToTheOneSizedFor() {
    for (long n : new long[] {1, 1000, 10_000_000, 100_000_000}) {
      HibpSetParameters p = HibpSetParameters.forMaxEntries(n, 1e-10);
      assertThat(p.falsePositiveRate(n)).isLessThanOrEqualTo(1e-10);
      assertThat(p.falsePositiveRate(n / 2)).isLessThanOrEqualTo(1e-10);
    }
  }

  @Test
  void pageTableEntriesWidenAcrossTheThirtyTwoBitBoundary() {
    long[] anchors = {0, 5, 0xFFFF_FF00L, (1L << 32) - 1, 1L << 32, 3L << 32 | 17, HibpSetParameters.MAX_BUCKETS - (1L << 31)};
    for (long anchor : anchors) {
      // Within a group of 4096 pages, a first bucket lies less than 2^27 above its anchor.
      for (long delta : new long[] {0, 1, 255, 256, 1 << 20, (1 << 27) - 1}) {
        long first = anchor + delta;
        assertThat(HibpSetFormat.widen(anchor, (int) first)).isEqualTo(first);
      }
    }
  }

  @Test
  void aBucketTooLargeForAPageIsOneMoreThanTheLargestThatFits() {
    for (int bits : new int[] {9, 12, 37, 57}) {
      int m = HibpSetFormat.maxEntriesAlone(bits);
      assertThat(HibpSetFormat.fits(m + 1, m, bits)).isTrue();
      assertThat(HibpSetFormat.fits(m + 2, m + 1, bits)).isFalse();
    }
  }

  @Test
  void bucketAndFingerprintAreMonotoneInTheHash() {
    long buckets = 1_164_153_219L;
    long[] his = {0, 1, 0x7FFF_FFFF_FFFF_FFFFL, 0x8000_0000_0000_0000L, -2, -1};
    long prevBucket = -1;
    long prevFp = -1;
    for (long hi : his) {
      for (long lo : new long[] {0, 0x7FFF_FFFF_FFFF_FFFFL, -1}) {
        long b = HibpSetFormat.bucket(hi, lo, buckets);
        long fp = HibpSetFormat.fingerprint(hi, lo, buckets, 33);
        assertThat(b).isBetween(0L, buckets - 1);
        assertThat(b > prevBucket || (b == prevBucket && fp >= prevFp)).isTrue();
        prevBucket = b;
        prevFp = fp;
      }
    }
    assertThat(prevBucket).isEqualTo(buckets - 1);
  }
}
