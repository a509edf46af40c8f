package com.timereg.hibp;

import java.util.Arrays;

/**
 * A run of consecutive hashes already encoded for the set file, so that encoding can run on several threads
 * and {@link HibpSetWriter#append} only concatenates bits: the records bit-packed, the bucket bitmap as
 * pieces of bits, the class histogram. Filled by one thread, then handed to the writer.
 *
 * <p>The last entry's record is kept apart, not packed: the first hash of the next slice may share its
 * bucket and fingerprint and merge into it (larger class), which only the writer, seeing both, can do.
 *
 * <p>The bitmap is cut into pieces, each inside one block and each starting at an entry's 0 bit and ending
 * at another's: the ones before a piece (ends of buckets without entries of this slice, which may span
 * blocks) and the block ends are the writer's, so a slice of sparse hashes costs bits per entry, not per
 * bucket. A gap of more than {@link #MAX_GAP} buckets also starts a new piece, which bounds the bitmap to
 * {@code MAX_GAP + 1} bits per entry.
 */
public final class EncodedSlice {
  private static final int MAX_GAP = 8;
  private static final int FIRST_PIECES = 64;

  private final long buckets;
  private final int fingerprintBits;
  private final int classBits;
  private final int entryBits;
  private final int bucketsPerBlock;
  private final int topClass;
  /** Records of every entry but the last, LSB-first; two spare words let a record be ORed in unconditionally. */
  final long[] records;
  int recordBits;
  final long[] bitmap;
  int bitmapBits;
  /** Per piece: its first entry's bucket, where its bits start, and how many entries come before it. */
  long[] pieceBucket = new long[FIRST_PIECES];
  int[] pieceStart = new int[FIRST_PIECES];
  int[] pieceEntry = new int[FIRST_PIECES];
  int pieces;
  final long[] histogram = new long[HibpSetHeader.histogramSlots()];
  /** Distinct (bucket, fingerprint) entries, the last one included. */
  int entries;
  long firstFingerprint;
  long lastBucket = -1;
  long lastFingerprint;
  int lastClass;
  private long blockEnd;
  private final int capacity;
  private final long[] one = new long[3];

  EncodedSlice(HibpSetParameters p, int capacity) {
    this.buckets = p.bucketCount();
    this.fingerprintBits = p.fingerprintBits();
    this.classBits = p.classBits();
    this.entryBits = p.entryBits();
    this.bucketsPerBlock = p.bucketsPerBlock();
    this.topClass = (1 << p.classBits()) - 1;
    this.capacity = capacity;
    this.records = new long[(int) ((long) capacity * entryBits / 64) + 2];
    this.bitmap = new long[(int) ((long) capacity * (MAX_GAP + 1) / 64) + 2];
  }

  /**
   * Adds a hash given by its first 128 bits (big-endian) and its breach count. Hashes must ascend; two that
   * share bucket and fingerprint become one entry with the larger class. At most {@code capacity} hashes.
   */
  public void add(long hi, long lo, long count) {
    one[0] = hi;
    one[1] = lo;
    one[2] = count;
    addAll(one, 0, 1);
  }

  /**
   * Adds {@code n} hashes given as {@code hi, lo, count} triples from {@code triples[from]} on, as
   * {@link #add} would one by one. The parse workers hand over a few hundred at a time: the loop keeps the
   * slice's state in registers, where a call per hash loads and stores it every time. If a hash is refused
   * (out of order, count below 1), the slice is left as it was before the call.
   */
  public void addAll(long[] triples, int from, int n) {
    long lastB = lastBucket;
    long lastFp = lastFingerprint;
    int lastCls = lastClass;
    int e = entries;
    int recBits = recordBits;
    int bits = bitmapBits;
    long end = blockEnd;
    long[] rec = records;
    long[] map = bitmap;
    long[] hist = histogram;
    for (int i = from, stop = from + 3 * n; i < stop; i += 3) {
      long hi = triples[i];
      long lo = triples[i + 1];
      long count = triples[i + 2];
      if (count < 1) {
        throw new IllegalArgumentException("count must be at least 1: " + count);
      }
      long b = HibpSetFormat.bucket(hi, lo, buckets);
      long fp = HibpSetFormat.fingerprint(hi, lo, buckets, fingerprintBits);
      int cls = Math.min(topClass, 63 - Long.numberOfLeadingZeros(count));
      long gap = b - lastB;
      // Its sign orders the two hashes' (bucket, fingerprint): one branch, almost never taken, where testing
      // "same bucket" first would be a branch taken for about 40% of entries, at random.
      long order = gap != 0 ? gap : fp - lastFp;
      if (order <= 0) {
        if (order < 0) {
          throw new IllegalArgumentException("hashes out of order");
        }
        if (e > 0) {
          lastCls = Math.max(lastCls, cls);
          continue;
        }
      }
      if (e > 0) {
        recBits = put(rec, recBits, lastFp << classBits | lastCls, entryBits);
        hist[lastCls]++;
      }
      if (gap > MAX_GAP | b >= end) {
        end = newPiece(b, fp, e, bits);
      } else {
        // Ends the buckets between the previous entry's and this one's (none when they share one).
        bits = put(map, bits, (1L << gap) - 1, (int) gap);
      }
      // The entry's 0 bit.
      bits++;
      lastB = b;
      lastFp = fp;
      lastCls = cls;
      e++;
    }
    lastBucket = lastB;
    lastFingerprint = lastFp;
    lastClass = lastCls;
    entries = e;
    recordBits = recBits;
    bitmapBits = bits;
    blockEnd = end;
  }

  /** ORs the low {@code n} bits of {@code value} in at {@code at} (the array is zero there); returns the end. */
  private static int put(long[] words, int at, long value, int n) {
    int w = at >>> 6;
    words[w] |= value << at;
    // Two shifts, since a shift by 64 is a shift by 0 in Java.
    words[w + 1] |= (value >>> 1) >>> (63 - (at & 63));
    return at + n;
  }

  /** Starts a piece at the entry with bucket {@code b}; returns the end of its block. */
  private long newPiece(long b, long fp, int entries, int bitmapBits) {
    if (entries == 0) {
      firstFingerprint = fp;
    }
    if (pieces == pieceBucket.length) {
      int n = Math.min(capacity + 1, pieces * 2);
      pieceBucket = Arrays.copyOf(pieceBucket, n);
      pieceStart = Arrays.copyOf(pieceStart, n);
      pieceEntry = Arrays.copyOf(pieceEntry, n);
    }
    pieceBucket[pieces] = b;
    pieceStart[pieces] = bitmapBits;
    pieceEntry[pieces] = entries;
    pieces++;
    return (b / bucketsPerBlock + 1) * bucketsPerBlock;
  }

  /** The class of the first entry, whether or not it is also the last. */
  int firstClass() {
    return entries == 1 ? lastClass : (int) (records[0] & ((1L << classBits) - 1));
  }

  long firstBucket() {
    return pieceBucket[0];
  }

  /** Bits of piece {@code p}: from {@link #pieceStart} to this. */
  int pieceEnd(int p) {
    return p + 1 < pieces ? pieceStart[p + 1] : bitmapBits;
  }

  int pieceEntries(int p) {
    return (p + 1 < pieces ? pieceEntry[p + 1] : entries) - pieceEntry[p];
  }

  /** Empties the slice for reuse by any hashes. */
  void clear() {
    clearAfterLast();
    lastBucket = -1;
    lastFingerprint = 0;
  }

  /** Empties the slice for reuse; later hashes must still come after the last one added (order is checked). */
  void clearAfterLast() {
    Arrays.fill(records, 0, Math.min(records.length, (recordBits >>> 6) + 2), 0);
    Arrays.fill(bitmap, 0, Math.min(bitmap.length, (bitmapBits >>> 6) + 2), 0);
    Arrays.fill(histogram, 0);
    recordBits = 0;
    bitmapBits = 0;
    pieces = 0;
    entries = 0;
    blockEnd = 0;
  }

  int capacity() {
    return capacity;
  }
}
