package com.timereg.hibp;

/**
 * The binary layout of a HIBP set file and the hash arithmetic shared by writer and reader.
 *
 * <pre>
 * offset 0             header, {@value #HEADER_SIZE} bytes (see {@link HibpSetHeader})
 * blocksOffset         one {@value #BLOCK_BYTES}-byte block per K buckets (K = buckets per block, in the
 *                      header), aligned to {@value #BLOCK_BYTES} bytes in the file:
 *                        word 0     bits 0-39: entries in earlier blocks; bits 40-62: entries in this block
 *                                   (saturated at 2^23-1); bit 63: the bitmap overflowed (see below)
 *                        words 1-15 the block's bucket bitmap, LSB-first: for every bucket one 0 bit per
 *                                   entry then a 1 bit (Elias-Fano style unary counts), zero padded
 * recordsOffset        entry records, (fingerprintBits + classBits) bits each, packed LSB-first,
 *                      followed by 8 zero bytes so any record can be read with one 8-byte load
 * overflowOffset       the bitmaps of blocks whose bitmap exceeds 960 bits, whole words, in block order;
 *                      such a block's word 1 holds the word index of its bitmap here. Empty in practice:
 *                      K is chosen so that a block overflows with probability about 1e-12
 * </pre>
 *
 * <p>A lookup reads one block (two adjacent cache lines, fetched together) and then the records of one
 * bucket: two dependent memory reads. The block holds both where the block's records start and the
 * bitmap that places the bucket among them, so no separate sample has to be read first.
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
  /** 1: samples, records and bitmap in three sections (three dependent reads per lookup); 2: blocks. */
  public static final int VERSION = 2;
  public static final int HEADER_SIZE = 256;
  /** Two cache lines: adjacent-line prefetch brings the pair in one DRAM round trip on common CPUs. */
  public static final int BLOCK_BYTES = 128;
  public static final int BLOCK_WORDS = BLOCK_BYTES / Long.BYTES;
  /** Bitmap bits that fit in a block after its first word. */
  public static final int BLOCK_BITMAP_BITS = (BLOCK_WORDS - 1) * 64;
  public static final int BASE_BITS = 40;
  public static final long BASE_MASK = (1L << BASE_BITS) - 1;
  /**
   * Entries of the block itself; saturates for absurdly full blocks. Checked by verify and free for tools;
   * lookups do not use it (loading the record it predicts before the bitmap walk was measured slower).
   */
  public static final long COUNT_MAX = (1L << (63 - BASE_BITS)) - 1;
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

  /** {@code Math.unsignedMultiplyHigh} arrived in Java 18; {@code y} is never negative here. */
  static long unsignedMultiplyHigh(long x, long y) {
    return Math.multiplyHigh(x, y) + ((x >> 63) & y);
  }

  /**
   * The reciprocal that turns division by {@code k} into a multiplication: for every bucket index q below
   * 2^64 / k, {@code unsignedMultiplyHigh(q, reciprocal(k)) == q / k} (the error of the rounded-up
   * reciprocal, q / 2^64, is smaller than the 1/k gap to the next integer). A 64-bit division costs 40-90
   * cycles on many CPUs; a lookup does one per query.
   */
  static long reciprocal(int k) {
    return Long.divideUnsigned(-1L, k) + 1;
  }

  static long blocks(long buckets, int bucketsPerBlock) {
    return (buckets - 1) / bucketsPerBlock + 1;
  }

  static long blocksLength(long buckets, int bucketsPerBlock) {
    return blocks(buckets, bucketsPerBlock) * BLOCK_BYTES;
  }

  static long recordsLength(long entries, int entryBits) {
    long bytes = (entries * entryBits + 7) / 8;
    return roundUp8(bytes) + Long.BYTES;
  }

  static long roundUp8(long n) {
    return (n + 7) & ~7L;
  }
}
