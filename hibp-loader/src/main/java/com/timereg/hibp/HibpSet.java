package com.timereg.hibp;

import java.io.Closeable;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
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
  private final int bucketsPerBlock;
  private final long blockReciprocal;
  private final long blocks;
  private final long records;
  private final long overflow;
  private volatile MappedFile file;
  /**
   * The channel the mapping was made from, kept open so that {@link #verify} reads the very file that lookups
   * answer from: by the time it runs, the path may name another file (the loader renames a new set over it).
   */
  private final FileChannel channel;

  private HibpSet(Path path, HibpSetHeader header, MappedFile file, FileChannel channel) {
    this.path = path;
    this.header = header;
    this.file = file;
    this.channel = channel;
    HibpSetParameters p = header.parameters();
    this.buckets = p.bucketCount();
    this.fingerprintBits = p.fingerprintBits();
    this.classBits = p.classBits();
    this.entryBits = p.entryBits();
    this.recordMask = (1L << entryBits) - 1;
    this.bucketsPerBlock = p.bucketsPerBlock();
    this.blockReciprocal = HibpSetFormat.reciprocal(bucketsPerBlock);
    this.blocks = header.blocksOffset();
    this.records = header.recordsOffset();
    this.overflow = header.overflowOffset();
  }

  /**
   * How the set's file is held in memory.
   *
   * @param hugePages map it in 2 MiB pages where the kernel can (Linux transparent huge pages, not
   *     "never"; the file system must support large folios, as ext4 and XFS do on recent kernels), or
   *     forbid them. A lookup's two reads land far apart in the file; with 4 KiB pages each also misses the
   *     TLB, which in a virtual machine costs about as much as the read itself.
   * @param preload read the whole file in before {@link #open} returns, so that no lookup waits for the
   *     disk. With huge pages, the file's cached pages that nobody maps are dropped first: the page cache
   *     keeps the page size it was filled with (by the loader's writes, say), and only pages read through
   *     a huge-page mapping come back as 2 MiB ones.
   */
  public record Mapping(boolean hugePages, boolean preload) {
    /** Huge pages, faulted in by the lookups that touch them: for a few lookups (the CLI). */
    public static final Mapping LAZY = new Mapping(true, false);
    /** Huge pages, all read in at open: for a long-lived reader (the gateway). */
    public static final Mapping PRELOADED = new Mapping(true, true);
  }

  /** Maps a set {@link Mapping#LAZY lazily} and checks its header; see {@link #open(Path, Mapping)}. */
  public static HibpSet open(Path path) throws IOException {
    return open(path, Mapping.LAZY);
  }

  /**
   * Maps a set and checks its header (magic, version, header checksum, length); not the sections. With
   * {@link Mapping#preload()} this reads the whole file and blocks until it has: call it off any event loop.
   */
  public static HibpSet open(Path path, Mapping mapping) throws IOException {
    if (Files.exists(path) && !Files.isRegularFile(path)) {
      // A directory opens and then fails to map ("No such device"); a FIFO would block the open forever.
      throw new FileSystemException(path.toString(), null,
          Files.isDirectory(path) ? "is a directory, not a set file" : "not a regular file, so not a set file");
    }
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      long length = channel.size();
      if (length < HibpSetFormat.HEADER_SIZE) {
        throw new CorruptSetException("not a HIBP set file (" + length + " bytes)");
      }
      // The header is read and checked before the mapping, which with preload reads the whole file in: a path
      // that names something else (the download itself, tens of GB) is refused without reading it from disk and
      // evicting the page cache for it. Checked again from the mapping below, which is what lookups answer from.
      ByteBuffer head = ByteBuffer.allocate(HibpSetFormat.HEADER_SIZE);
      while (head.hasRemaining() && channel.read(head, head.position()) >= 0) {
        // a short read of a regular file: go on
      }
      HibpSetHeader.decode(head.flip(), length);
      if (mapping.preload() && mapping.hugePages()) {
        PageAdvice.dropCachedPages(path);
      }
      MappedFile file = new MappedFile(channel, mapping);
      HibpSetHeader header = HibpSetHeader.decode(file.slice(0, HibpSetFormat.HEADER_SIZE), length);
      return new HibpSet(path, header, file, channel);
    } catch (IOException | RuntimeException | Error e) {
      try {
        channel.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
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

  /**
   * Bytes of this set's file that this process maps in 2 MiB pages (Linux; 0 elsewhere), read from
   * /proc/self/smaps: how much of {@link Mapping#hugePages()} the kernel granted. Reads a file of a few MB.
   */
  public long hugePageBytes() {
    MappedFile f = file;
    return f == null ? 0 : f.hugePageBytes();
  }

  /** The size of the set's file, all of which is mapped. */
  public long fileBytes() {
    return header.fileLength();
  }

  /**
   * The length of the mapped file now, asked of the channel it was mapped from (one fstat), not of the path, which
   * may name another file by now: less than {@link #fileBytes} once the file was cut short in place, when a
   * lookup touching a page past the new end would fault. Throws (ClosedChannelException) once closed.
   */
  public long currentFileBytes() throws IOException {
    return channel.size();
  }

  public HibpSetHeader header() {
    return header;
  }

  public Path path() {
    return path;
  }

  /**
   * Reads the whole file: section checksums, bucket structure, fingerprint order and class counts. It reads the
   * file that was opened and mapped, the one lookups answer from, even if the path names another one by now.
   */
  public void verify() throws IOException {
    HibpSetVerifier.verify(channel, header);
  }

  /** Releases this reader; the mapping goes once the garbage collector finds no lookup still using it. */
  @Override
  public void close() {
    file = null;
    try {
      channel.close();
    } catch (IOException e) {
      // Read-only: nothing was left unwritten.
    }
  }

  private int lookup(long hi, long lo) {
    MappedFile f = file;
    if (f == null) {
      throw new IllegalStateException("set is closed: " + path);
    }
    long q = HibpSetFormat.bucket(hi, lo, buckets);
    long fp = HibpSetFormat.fingerprint(hi, lo, buckets, fingerprintBits);
    long block = HibpSetFormat.unsignedMultiplyHigh(q, blockReciprocal);
    int skip = (int) (q - block * bucketsPerBlock);
    long at = blocks + block * HibpSetFormat.BLOCK_BYTES;
    long head = f.getLong(at);
    long base = head & HibpSetFormat.BASE_MASK;
    long bitmapAt = head < 0 ? overflow + f.getLong(at + Long.BYTES) * Long.BYTES : at + Long.BYTES;

    // The bucket ends at the skip-th 1 bit of the block's bitmap; the 0 bits before it are entries.
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
    long end = base + ((wordAt - bitmapAt) << 3) + bit - skip;
    long size = zerosBefore(f, word, bit, wordAt, bitmapAt);
    return search(f, end - size, end, fp);
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

  private int search(MappedFile f, long from, long to, long fp) {
    long lo = from;
    long hi = to;
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (record(f, mid) >>> classBits < fp) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (lo == to) {
      return -1;
    }
    long rec = record(f, lo);
    return rec >>> classBits == fp ? (int) (rec & ((1 << classBits) - 1)) : -1;
  }

  private long record(MappedFile f, long index) {
    long bit = index * entryBits;
    return (f.getLong(records + (bit >>> 3)) >>> (bit & 7)) & recordMask;
  }
}
