package com.timereg.hibp;

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
 * groupsOffset         for every group of 2^{@value #GROUP_SHIFT} buckets, the page holding its first bucket
 *                      (unsigned ints), zero padded to 8 bytes
 * overflowOffset       records of overflowed buckets, packed LSB-first upwards, then 8 zero bytes
 * </pre>
 *
 * <p>A lookup finds bucket b's page from the group table (the page of b's group, then forward while the next
 * page starts at or before b: usually no step, as a page holds about 970 buckets and a group 512), then
 * reads that page: its bitmap and the record. Both tables are small (4 bytes per page and per 512 buckets,
 * about 1/500 of the file) and stay in the caches; the page is one 4 KiB memory page, so its bitmap and
 * record cost one TLB miss between them. The group table is indexed directly, so finding the page is two
 * dependent cache reads (group entry, then page table), not a search.
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

  /** Buckets with the same {@code bucket >>> GROUP_SHIFT} form a group; the group table gives its first page. */
  public static final int GROUP_SHIFT = 9;

  static long groups(long buckets) {
    return ((buckets - 1) >>> GROUP_SHIFT) + 1;
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

  static long anchorsOffset(long pages) {
    return tableOffset(pages) + roundUp8(pages * Integer.BYTES);
  }

  static long groupsOffset(long pages) {
    return anchorsOffset(pages) + anchors(pages) * Long.BYTES;
  }

  /** Page table, anchors and group table together. */
  static long tableLength(long pages, long buckets) {
    return groupsOffset(pages) - tableOffset(pages) + roundUp8(groups(buckets) * Integer.BYTES);
  }

  static long overflowRecordsLength(long entries, int entryBits) {
    long bytes = (entries * entryBits + 7) / 8;
    return roundUp8(bytes) + Long.BYTES;
  }

  static long roundUp8(long n) {
    return (n + 7) & ~7L;
  }
}
