package com.timereg.hibp;

import java.math.BigInteger;

/**
 * The binary layout of a HIBP set file and the hash arithmetic shared by writer and reader.
 *
 * <pre>
 * offset 0             header, {@value #HEADER_SIZE} bytes (see {@link HibpSetHeader}), zero padded to one page
 * {@value #PAGE_BYTES}              P pages of {@value #PAGE_BYTES} bytes, each holding the buckets first[p] ..
 *                      first[p+1]-1 whole:
 *                        word 0    bits 0-39: entries in the page; bit 63: the page holds one bucket too large
 *                                  for a page, whose records are in the overflow section; other bits zero
 *                        words 1.. the page's bucket bitmap, LSB-first: for every bucket one 0 bit per entry
 *                                  then a 1 bit (Elias-Fano style unary counts), zero padded to a whole word
 *                        ...       zero
 *                        the end  the page's records, (fingerprintBits + classBits) bits each, packed from the
 *                                  end of the page down: entry i of the page occupies bits
 *                                  [PAGE_BITS - (i + 1) e, PAGE_BITS - i e) of the page
 *                      an overflow page: word 0 = bit 63 | entries of its bucket, word 1 = index of the bucket's
 *                      first record in the overflow section, the rest zero
 * tableOffset          first[p] for every page, the low 32 bits, little-endian ints, zero padded to 8 bytes;
 *                      then first[p * 4096] in full for every 4096th page (anchors, longs): within 4096 pages
 *                      first[] grows by less than 2^32, so anchor and low bits give it exactly
 * overflowOffset       records of overflowed buckets, packed LSB-first upwards, then 8 zero bytes
 * </pre>
 *
 * <p>A lookup finds bucket b's page in the table, then reads that page: its bitmap and the record. The
 * table is small (4 bytes per page, about 1/1000 of the file) and stays in the caches; the page is one
 * 4 KiB memory page, so the bitmap and the record cost one TLB miss and usually one DRAM row between them.
 * The page is found without a search over the whole table: page boundaries drift from the uniform guess
 * {@link #guess} by a random walk of a few pages, the writer records the largest drift of any bucket
 * (the search window W in the header), and the reader binary-searches only the 2W + 1 table entries
 * around the guess. Skewed input widens W, which slows lookups but never makes them wrong.
 *
 * <p>A hash H (the first 128 bits of the SHA-1, big-endian) maps to bucket {@code floor(H * B / 2^128)}
 * and its fingerprint is the top {@code f} bits of the fraction {@code (H * B) mod 2^128}. Both are
 * monotone in H, so input sorted by hash gives non-decreasing buckets and, within a bucket, non-decreasing
 * fingerprints: the writer can stream, and verification can check the order. The fingerprint bits are
 * independent of the bucket, so an absent hash matches with probability (entries per bucket) x 2^-f, that is
 * {@code n / (B * 2^f)}; choosing B as an arbitrary integer rather than a power of two lets the writer spend
 * exactly the false-positive budget.
 */
public final class HibpSetFormat {
  /** "HIBPSET" and a zero byte, read as a little-endian long. */
  public static final long MAGIC = 0x0054455350424948L;
  /**
   * 1: samples, records and bitmap in three sections (three dependent reads per lookup); 2: 128-byte
   * blocks of bitmap, records elsewhere (two dependent DRAM reads); 3: 4 KiB pages holding bitmap and records.
   */
  public static final int VERSION = 3;
  public static final int HEADER_SIZE = 256;
  /** The smallest memory page of x86-64 and ARM64: one TLB entry covers a whole page. */
  public static final int PAGE_BYTES = 4096;
  public static final int PAGE_WORDS = PAGE_BYTES / Long.BYTES;
  public static final int PAGE_BITS = PAGE_BYTES * 8;
  public static final int COUNT_BITS = 40;
  public static final long COUNT_MASK = (1L << COUNT_BITS) - 1;
  /** Pages per anchor: 4096 pages of at most PAGE_BITS buckets each span less than 2^32 buckets. */
  public static final int ANCHOR_SHIFT = 12;
  /** Any record is read with a single unaligned 8-byte load that can start 7 bits into a byte. */
  public static final int MAX_ENTRY_BITS = 57;
  /** Classes are counted in the header; 4 bits keep the histogram at 16 longs. */
  public static final int MAX_CLASS_BITS = 4;

  private HibpSetFormat() {}

  /** Bucket of the hash whose first 128 bits are {@code hi, lo}, among {@code buckets} buckets. */
  public static long bucket(long hi, long lo, long buckets) {
    long a1 = unsignedMultiplyHigh(hi, buckets);
    long mid = hi * buckets + unsignedMultiplyHigh(lo, buckets);
    return Long.compareUnsigned(mid, hi * buckets) < 0 ? a1 + 1 : a1;
  }

  /** Fingerprint ({@code bits} wide) of the hash {@code hi, lo} among {@code buckets} buckets. */
  public static long fingerprint(long hi, long lo, long buckets, int bits) {
    long mid = hi * buckets + unsignedMultiplyHigh(lo, buckets);
    return mid >>> (64 - bits);
  }

  /** {@code Math.unsignedMultiplyHigh} arrived in Java 18. */
  static long unsignedMultiplyHigh(long x, long y) {
    return Math.multiplyHigh(x, y) + ((x >> 63) & y) + ((y >> 63) & x);
  }

  /**
   * The 64-bit fixed-point ratio pages / buckets, {@code floor(pages * 2^64 / buckets)} (at most 2^64 - 1),
   * for {@link #guess}. Writer and reader must compute the guess identically: the window is measured on it.
   */
  static long guessFactor(long pages, long buckets) {
    BigInteger f = BigInteger.valueOf(pages).shiftLeft(64).divide(BigInteger.valueOf(buckets));
    return f.bitLength() > 64 ? -1L : f.longValue();
  }

  /** The page bucket {@code b} would be in if every page held the same number of buckets. */
  static long guess(long b, long guessFactor) {
    return unsignedMultiplyHigh(b, guessFactor);
  }

  /**
   * A page's first bucket from its anchor (the first bucket of its group of 4096 pages) and the low 32 bits
   * the table holds: the first bucket lies less than 2^32 above the anchor.
   */
  static long widen(long anchor, int low) {
    return anchor + ((low - anchor) & 0xFFFF_FFFFL);
  }

  /** Whether a page can hold a bitmap of {@code bitmapBits} and {@code entries} records of {@code entryBits}. */
  static boolean fits(long bitmapBits, long entries, int entryBits) {
    return Long.BYTES * 8 * (1 + (bitmapBits + 63) / 64) + entries * entryBits <= PAGE_BITS;
  }

  /** The most entries one bucket can hold and still fit an empty page; larger buckets overflow. */
  static int maxEntriesAlone(int entryBits) {
    int m = PAGE_BITS / entryBits;
    while (!fits(m + 1, m, entryBits)) {
      m--;
    }
    return m;
  }

  /** Bit offset, within its page, of the page's entry {@code i}. */
  static long recordBit(long i, int entryBits) {
    return PAGE_BITS - (i + 1) * entryBits;
  }

  static long pagesOffset() {
    return PAGE_BYTES;
  }

  static long tableOffset(long pages) {
    return pagesOffset() + pages * PAGE_BYTES;
  }

  static long anchors(long pages) {
    return (pages + (1L << ANCHOR_SHIFT) - 1) >>> ANCHOR_SHIFT;
  }

  /** Table and anchors together. */
  static long tableLength(long pages) {
    return roundUp8(pages * Integer.BYTES) + anchors(pages) * Long.BYTES;
  }

  static long overflowRecordsLength(long entries, int entryBits) {
    long bytes = (entries * entryBits + 7) / 8;
    return roundUp8(bytes) + Long.BYTES;
  }

  static long roundUp8(long n) {
    return (n + 7) & ~7L;
  }
}
