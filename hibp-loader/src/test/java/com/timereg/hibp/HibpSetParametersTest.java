package com.timereg.hibp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HibpSetParametersTest {
  @Test
  void defaultRateGivesUnderFiveBytesPerEntryForTwoBillionEntries() {
    long n = 2_000_000_000L;
    HibpSetParameters p = HibpSetParameters.forMaxEntries(n, 1e-10);
    assertThat(p.fingerprintBits()).isEqualTo(33);
    assertThat(p.falsePositiveRate(n)).isLessThanOrEqualTo(1e-10);
    assertThat(p.bucketsPerBlock()).isEqualTo(442);
    assertThat((double) p.fileLength(n) / n).isLessThan(4.97);
  }

  @Test
  void blocksLeaveSevenStandardDeviationsForTheBitmap() {
    int k = HibpSetParameters.bucketsPerBlockFor(0.859);
    double mean = k * 1.859;
    assertThat(mean + 7 * Math.sqrt(0.859 * k)).isLessThanOrEqualTo(HibpSetFormat.BLOCK_BITMAP_BITS);
    int wider = k + 1;
    assertThat(wider * 1.859 + 7 * Math.sqrt(0.859 * wider)).isGreaterThan(HibpSetFormat.BLOCK_BITMAP_BITS);
  }

  @Test
  void blockIndexByReciprocalMatchesDivision() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(3);
    for (int k : new int[] {16, 442, 443, 960}) {
      long m = HibpSetFormat.reciprocal(k);
      for (int i = 0; i < 100_000; i++) {
        long q = r.nextLong(HibpSetParameters.MAX_BUCKETS);
        assertThat(HibpSetFormat.unsignedMultiplyHigh(q, m)).isEqualTo(q / k);
      }
      long top = HibpSetParameters.MAX_BUCKETS - 1;
      assertThat(HibpSetFormat.unsignedMultiplyHigh(top, m)).isEqualTo(top / k);
      assertThat(HibpSetFormat.unsignedMultiplyHigh(k - 1, m)).isZero();
      assertThat(HibpSetFormat.unsignedMultiplyHigh(k, m)).isEqualTo(1);
    }
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
