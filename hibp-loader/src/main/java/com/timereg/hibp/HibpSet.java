package com.timereg.hibp;

import java.io.Closeable;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * A HIBP set mapped read-only off-heap. Lookups allocate nothing, take no lock and are safe from any number
 * of threads; {@link #open} checks the header only, {@link #verify} checks every byte.
 */
public final class HibpSet implements Closeable {
  private static final VarHandle BIG_ENDIAN_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private final Path path;
  private final HibpSetHeader header;
  private final long buckets;
  private final int fingerprintBits;
  private final int classBits;
  private final int entryBits;
  private final long recordMask;
  private final long pages;
  private final long lastPage;
  private final long table;
  private final long groups;
  /** First bucket of every 4096th page, on the heap: read on every step of the table search. */
  private final long[] anchors;
  private final long overflow;
  private volatile MappedFile file;

  private HibpSet(Path path, HibpSetHeader header, MappedFile file) {
    this.path = path;
    this.header = header;
    this.file = file;
    HibpSetParameters p = header.parameters();
    this.buckets = p.bucketCount();
    this.fingerprintBits = p.fingerprintBits();
    this.classBits = p.classBits();
    this.entryBits = p.entryBits();
    this.recordMask = (1L << entryBits) - 1;
    this.pages = header.pagesOffset();
    this.lastPage = header.pageCount() - 1;
    this.table = header.tableOffset();
    this.groups = HibpSetFormat.groupsOffset(header.pageCount());
    this.anchors = new long[(int) HibpSetFormat.anchors(header.pageCount())];
    long anchorsAt = HibpSetFormat.anchorsOffset(header.pageCount());
    for (int i = 0; i < anchors.length; i++) {
      anchors[i] = file.getLong(anchorsAt + (long) i * Long.BYTES);
    }
    this.overflow = header.overflowOffset();
  }

  /** Maps a set and checks its header (magic, version, header checksum, length); not the sections. */
  public static HibpSet open(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long length = channel.size();
      if (length < HibpSetFormat.HEADER_SIZE) {
        throw new CorruptSetException("not a HIBP set file (" + length + " bytes)");
      }
      MappedFile file = new MappedFile(channel);
      HibpSetHeader header = HibpSetHeader.decode(file.slice(0, HibpSetFormat.HEADER_SIZE), length);
      return new HibpSet(path, header, file);
    }
  }

  /**
   * The breach prevalence of a SHA-1 (20 bytes): 0 when absent, otherwise the representative count of its
   * class (see {@link PrevalenceClass}). A hash never seen is reported with the set's false-positive rate.
   */
  public long prevalence(byte[] sha1) {
    if (sha1.length != 20) {
      throw new IllegalArgumentException("a SHA-1 has 20 bytes, got " + sha1.length);
    }
    int cls = lookup((long) BIG_ENDIAN_LONG.get(sha1, 0), (long) BIG_ENDIAN_LONG.get(sha1, 8));
    return cls < 0 ? 0 : PrevalenceClass.representative(cls);
  }

  /** The prevalence class of the hash whose first 128 bits are {@code hi, lo}, or -1 when absent. */
  public int prevalenceClass(long hi, long lo) {
    return lookup(hi, lo);
  }

  public long entryCount() {
    return header.entryCount();
  }

  public Instant buildTime() {
    return header.buildTime();
  }

  public HibpSetHeader header() {
    return header;
  }

  public Path path() {
    return path;
  }

  /** Reads the whole file: section checksums, bucket structure, fingerprint order and class counts. */
  public void verify() throws IOException {
    HibpSetVerifier.verify(path, header);
  }

  /** Releases this reader; the mapping goes once the garbage collector finds no lookup still using it. */
  @Override
  public void close() {
    file = null;
  }

  private int lookup(long hi, long lo) {
    MappedFile f = file;
    if (f == null) {
      throw new IllegalStateException("set is closed: " + path);
    }
    long q = HibpSetFormat.bucket(hi, lo, buckets);
    long fp = HibpSetFormat.fingerprint(hi, lo, buckets, fingerprintBits);

    // The page of the bucket's group, or a later one when a page starts between group start and bucket.
    long page = f.getInt(groups + (q >>> HibpSetFormat.GROUP_SHIFT) * Integer.BYTES) & 0xFFFF_FFFFL;
    long first = firstBucket(f, page);
    long next = page < lastPage ? firstBucket(f, page + 1) : buckets;
    while (next <= q) {
      page++;
      first = next;
      next = page < lastPage ? firstBucket(f, page + 1) : buckets;
    }
    long at = pages + page * HibpSetFormat.PAGE_BYTES;
    int skip = (int) (q - first);
    long head = f.getLong(at);
    if (head < 0) {
      long start = f.getLong(at + Long.BYTES);
      return searchOverflow(f, start, start + (head & HibpSetFormat.COUNT_MASK), fp);
    }

    // The bucket ends at the skip-th 1 bit of the page's bitmap; the 0 bits before it are entries.
    long bitmapAt = at + Long.BYTES;
    long wordAt = bitmapAt;
    long word = f.getLong(wordAt);
    int k = skip;
    int ones;
    while ((ones = Long.bitCount(word)) <= k) {
      k -= ones;
      wordAt += Long.BYTES;
      word = f.getLong(wordAt);
    }
    int bit = Select.select(word, k);
    long end = ((wordAt - bitmapAt) << 3) + bit - skip;
    long size = zerosBefore(f, word, bit, wordAt, bitmapAt);
    return searchPage(f, at, end - size, end, fp);
  }

  /** The first bucket of page {@code p}: its low 32 bits from the table, the rest from its anchor. */
  private long firstBucket(MappedFile f, long p) {
    long anchor = anchors[(int) (p >>> HibpSetFormat.ANCHOR_SHIFT)];
    return HibpSetFormat.widen(anchor, f.getInt(table + p * Integer.BYTES));
  }

  /** Length of the run of 0 bits (the bucket's entries) that ends just before bit {@code bit} of {@code word}. */
  private static long zerosBefore(MappedFile f, long word, int bit, long wordAt, long bitmapAt) {
    long below = word & ((1L << bit) - 1);
    if (below != 0) {
      return bit - 64 + Long.numberOfLeadingZeros(below);
    }
    long size = bit;
    while (wordAt > bitmapAt) {
      wordAt -= Long.BYTES;
      long w = f.getLong(wordAt);
      if (w != 0) {
        return size + Long.numberOfLeadingZeros(w);
      }
      size += 64;
    }
    return size;
  }

  private int searchPage(MappedFile f, long pageAt, long from, long to, long fp) {
    long lo = from;
    long hi = to;
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (pageRecord(f, pageAt, mid) >>> classBits < fp) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo == to ? -1 : match(pageRecord(f, pageAt, lo), fp);
  }

  private int searchOverflow(MappedFile f, long from, long to, long fp) {
    long lo = from;
    long hi = to;
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (overflowRecord(f, mid) >>> classBits < fp) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo == to ? -1 : match(overflowRecord(f, lo), fp);
  }

  private int match(long rec, long fp) {
    return rec >>> classBits == fp ? (int) (rec & ((1 << classBits) - 1)) : -1;
  }

  /**
   * Entry {@code i} of the page at {@code pageAt}. The 8-byte load ends at the record's last byte rather
   * than starting at its first, so that it never reaches into the next page (another TLB entry).
   */
  private long pageRecord(MappedFile f, long pageAt, long i) {
    long bit = HibpSetFormat.recordBit(i, entryBits);
    long byteAt = ((bit + entryBits + 7) >>> 3) - Long.BYTES;
    return (f.getLong(pageAt + byteAt) >>> (bit - (byteAt << 3))) & recordMask;
  }

  private long overflowRecord(MappedFile f, long index) {
    long bit = index * entryBits;
    return (f.getLong(overflow + (bit >>> 3)) >>> (bit & 7)) & recordMask;
  }
}
