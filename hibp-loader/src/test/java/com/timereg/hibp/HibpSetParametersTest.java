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
    double bits = p.entryBits() + (double) (n + p.bucketCount()) / n
        + 64.0 * HibpSetFormat.blocks(p.bucketCount()) / n;
    assertThat(bits / 8).isLessThan(5.0);
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
