package com.timereg.hibp;

/**
 * The binary layout of a HIBP set file and the hash arithmetic shared by writer and reader.
 *
 * <pre>
 * offset 0             header, {@value #HEADER_SIZE} bytes (see {@link HibpSetHeader})
 * samplesOffset        one little-endian long per block of 2^BLOCK_SHIFT buckets: entries before the block
 * dataOffset           entry records, (fingerprintBits + classBits) bits each, packed LSB-first,
 *                      followed by 8 zero bytes so any record can be read with one 8-byte load
 * bitmapOffset         bucket bitmap, LSB-first 64-bit little-endian words: for every bucket, one 0 bit per
 *                      entry then a 1 bit (Elias-Fano style unary counts), then zero padding
 * </pre>
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
  public static final int VERSION = 1;
  public static final int HEADER_SIZE = 256;
  /** 256 buckets per sample: a lookup scans about 256 x (1 + n/B) bitmap bits at most, about 8 words. */
  public static final int BLOCK_SHIFT = 8;
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

  /** {@code Math.unsignedMultiplyHigh} arrived in Java 18; {@code y} is a bucket count, never negative. */
  static long unsignedMultiplyHigh(long x, long y) {
    return Math.multiplyHigh(x, y) + ((x >> 63) & y);
  }

  static long blocks(long buckets) {
    return ((buckets - 1) >>> BLOCK_SHIFT) + 1;
  }

  static long samplesLength(long buckets) {
    return blocks(buckets) * Long.BYTES;
  }

  static long dataLength(long entries, int entryBits) {
    long bytes = (entries * entryBits + 7) / 8;
    return roundUp8(bytes) + Long.BYTES;
  }

  static long bitmapLength(long entries, long buckets) {
    return ((entries + buckets + 63) >>> 6) * Long.BYTES;
  }

  static long roundUp8(long n) {
    return (n + 7) & ~7L;
  }
}
