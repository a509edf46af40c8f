package com.timereg.hibp;

/**
 * The shape of a set: bucket count B, fingerprint width f and prevalence class width. An absent hash is
 * reported present with probability {@code n / (B * 2^f)} for n entries.
 *
 * <p>Space per entry is f + classBits bits of record and, in the page bitmaps, one bit per entry and one per
 * bucket, B/n buckets per entry; pages add a head word, word padding of the bitmap and the part of a bucket
 * that did not fit (about 1% together) and the table 32 bits per page. With the rate r fixed,
 * B/n = 1 / (r 2^f); for r = 1e-10 the optimum is f = 33, B/n = 1.164: 33 + 4 + 1 + 1.164 = 39.16 bits
 * before the page overhead, 4.93 bytes per entry measured, independent of n.
 */
public record HibpSetParameters(long bucketCount, int fingerprintBits, int classBits) {
  /** The rate a set is built for unless told otherwise: one false "pwned" in ten billion lookups. */
  public static final double DEFAULT_MAX_FALSE_POSITIVE_RATE = 1e-10;
  /** 16 classes cover counts 1 to 2^15 and beyond in powers of two. */
  public static final int DEFAULT_CLASS_BITS = 4;
  /** 2^53 buckets (some 10^16 entries): bucket indexes stay exact in the reader's arithmetic. */
  static final long MAX_BUCKETS = 1L << 53;
  private static final int MIN_FINGERPRINT_BITS = 8;

  public HibpSetParameters {
    if (bucketCount < 1 || bucketCount > MAX_BUCKETS) {
      throw new IllegalArgumentException("bucket count out of range: " + bucketCount);
    }
    if (classBits < 1 || classBits > HibpSetFormat.MAX_CLASS_BITS) {
      throw new IllegalArgumentException("class bits must be 1.." + HibpSetFormat.MAX_CLASS_BITS + ": " + classBits);
    }
    if (fingerprintBits < MIN_FINGERPRINT_BITS || fingerprintBits + classBits > HibpSetFormat.MAX_ENTRY_BITS) {
      throw new IllegalArgumentException("fingerprint bits out of range: " + fingerprintBits);
    }
  }

  /**
   * Parameters that keep the false-positive rate at or below {@code maxFpr} for up to {@code maxEntries}
   * entries, at the least space per entry.
   */
  public static HibpSetParameters forMaxEntries(long maxEntries, double maxFpr) {
    if (!(maxFpr > 0 && maxFpr < 1)) {
      throw new IllegalArgumentException("false-positive rate must be in (0, 1): " + maxFpr);
    }
    long n = Math.max(1, maxEntries);
    int best = -1;
    double bestCost = Double.MAX_VALUE;
    int maxBits = HibpSetFormat.MAX_ENTRY_BITS - DEFAULT_CLASS_BITS;
    for (int f = MIN_FINGERPRINT_BITS; f <= maxBits; f++) {
      // Per entry: f fingerprint bits and, in the bitmap, one bit per bucket (1 / load buckets per entry).
      double cost = f + 1 / (maxFpr * Math.pow(2, f));
      if (cost < bestCost) {
        bestCost = cost;
        best = f;
      }
    }
    double buckets = Math.ceil(n / (maxFpr * Math.pow(2, best)));
    if (buckets > MAX_BUCKETS) {
      throw new IllegalArgumentException("too many entries for this false-positive rate: " + n);
    }
    return new HibpSetParameters(Math.max(1, (long) buckets), best, DEFAULT_CLASS_BITS);
  }

  public int entryBits() {
    return fingerprintBits + classBits;
  }

  /** Probability that a hash not in a set of {@code entries} entries is reported present. */
  public double falsePositiveRate(long entries) {
    return entries / (bucketCount * Math.pow(2, fingerprintBits));
  }
}
