package com.timereg.hibp;

/**
 * The shape of a set: bucket count B, fingerprint width f, prevalence class width and buckets per block K.
 * An absent hash is reported present with probability {@code n / (B * 2^f)} for n entries.
 *
 * <p>Space per entry is f + classBits bits of record and 1024 / K block bits per bucket, B/n buckets per
 * entry. With the rate r fixed, B/n = 1 / (r 2^f), and K is the most buckets whose bitmap (K ones and about
 * K n/B zeros) fits a block's 960 bits with 7 standard deviations to spare. For r = 1e-10 the optimum is
 * f = 33, B/n = 1.164, K = 442: 33 + 4 + 1.164 x 1024 / 442 = 39.70 bits, 4.96 bytes per entry,
 * independent of n.
 *
 * @param bucketsPerBlock K: buckets whose bitmaps share one {@value HibpSetFormat#BLOCK_BYTES}-byte block
 */
public record HibpSetParameters(long bucketCount, int fingerprintBits, int classBits, int bucketsPerBlock) {
  /** The rate a set is built for unless told otherwise: one false "pwned" in ten billion lookups. */
  public static final double DEFAULT_MAX_FALSE_POSITIVE_RATE = 1e-10;
  /** 16 classes cover counts 1 to 2^15 and beyond in powers of two. */
  public static final int DEFAULT_CLASS_BITS = 4;
  /** Standard deviations of the Poisson entry count per block kept free; beyond them a block overflows. */
  static final double OVERFLOW_SIGMAS = 7;
  /** A block is at least this wide, however crowded the buckets: crowded blocks overflow instead. */
  static final int MIN_BUCKETS_PER_BLOCK = 16;
  /** K for the load (entries per bucket) that the default rate gives, 0.859. */
  public static final int DEFAULT_BUCKETS_PER_BLOCK = bucketsPerBlockFor(0.859);
  /** 2^53 buckets (some 10^16 entries) keeps the reader's block index exact by multiplication. */
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
    if (bucketsPerBlock < MIN_BUCKETS_PER_BLOCK || bucketsPerBlock > HibpSetFormat.BLOCK_BITMAP_BITS) {
      throw new IllegalArgumentException("buckets per block out of range: " + bucketsPerBlock);
    }
  }

  /** With the default block width, for sets built by hand (tests, the gateway's small sets). */
  public HibpSetParameters(long bucketCount, int fingerprintBits, int classBits) {
    this(bucketCount, fingerprintBits, classBits, DEFAULT_BUCKETS_PER_BLOCK);
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
      double load = maxFpr * Math.pow(2, f);
      double cost = f + HibpSetFormat.BLOCK_BYTES * 8.0 / (load * bucketsPerBlockFor(load));
      if (cost < bestCost) {
        bestCost = cost;
        best = f;
      }
    }
    double buckets = Math.ceil(n / (maxFpr * Math.pow(2, best)));
    if (buckets > MAX_BUCKETS) {
      throw new IllegalArgumentException("too many entries for this false-positive rate: " + n);
    }
    long b = Math.max(1, (long) buckets);
    // Sized from the bound on entries: the real load is at most this, so blocks overflow less, not more.
    return new HibpSetParameters(b, best, DEFAULT_CLASS_BITS, bucketsPerBlockFor((double) n / b));
  }

  /**
   * The most buckets per block whose bitmap (one bit per bucket and per entry) fits the block with
   * {@link #OVERFLOW_SIGMAS} standard deviations of a Poisson entry count to spare.
   */
  static int bucketsPerBlockFor(double load) {
    int k = HibpSetFormat.BLOCK_BITMAP_BITS;
    while (k > MIN_BUCKETS_PER_BLOCK
        && k + load * k + OVERFLOW_SIGMAS * Math.sqrt(load * k) > HibpSetFormat.BLOCK_BITMAP_BITS) {
      k--;
    }
    return k;
  }

  public int entryBits() {
    return fingerprintBits + classBits;
  }

  /** Probability that a hash not in a set of {@code entries} entries is reported present. */
  public double falsePositiveRate(long entries) {
    return entries / (bucketCount * Math.pow(2, fingerprintBits));
  }

  /** Bytes of the whole file for {@code entries} entries when no block overflows (the header included). */
  public long fileLength(long entries) {
    return HibpSetFormat.HEADER_SIZE + HibpSetFormat.blocksLength(bucketCount, bucketsPerBlock)
        + HibpSetFormat.recordsLength(entries, entryBits());
  }
}
