package com.timereg.hibp;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Streams hashes, in ascending order, into a set file in constant memory. Blocks and records go to their
 * final places as they are produced; the bitmaps of overflowing blocks, whose offset depends on the final
 * entry count, go to a side file beside the target and are appended by {@link #finish()}. The header is
 * written last, so a file whose build was interrupted never carries a valid header.
 *
 * <p>Writes the file in place: callers that replace a live set write to a temporary name and rename
 * (the build package does).
 */
public final class HibpSetWriter implements Closeable {
  /** Hashes {@link #add} encodes before appending them. */
  private static final int ADD_SLICE = 4096;
  /**
   * Slices asked for with between a quarter of this and this capacity (the input's 1 MiB slices) are reused
   * rather than allocated: a fresh 150 KB of arrays per slice cost page faults and zeroing on the workers.
   * Smaller ones are not, so that many small slices in flight (a directory of small files) are not each
   * given a large one.
   */
  private static final int POOLED_CAPACITY = 1 << 15;
  private final Queue<EncodedSlice> pool = new ConcurrentLinkedQueue<>();
  private final Path file;
  private final Path overflowFile;
  private final HibpSetParameters p;
  private final long buckets;
  private final int bucketsPerBlock;
  private final Instant buildTime;
  private final FileChannel out;
  private final FileChannel overflowOut;
  private final BitSink blocks;
  private final BitSink records;
  private final BitSink overflow;
  private final long[] histogram = new long[HibpSetHeader.histogramSlots()];
  /** The bitmap of the block being filled; grows past a block's 960 bits only for a block that overflows. */
  private long[] blockBits = new long[HibpSetFormat.BLOCK_WORDS];
  private int blockBitCount;
  private long blockEnd;
  private long blockBase;
  /** Entries (0 bits) in the block being filled. */
  private long blockEntries;
  private long blocksWritten;
  private long overflowBlocks;
  private long entries;
  private long bucket;
  private long pendingFingerprint = -1;
  private int pendingClass;
  private volatile boolean finished;
  /** Where {@link #add} collects hashes: they go through the same encoding as parallel slices. */
  private final EncodedSlice current;
  /** Deletes the side file (and the unfinished target) if the JVM is stopped (SIGINT, SIGTERM) mid-write. */
  private final ExitCleanup cleanupOnExit;
  private static final java.security.SecureRandom NAMES = new java.security.SecureRandom();
  /** The longest file name ext4, XFS, btrfs and tmpfs take (NAME_MAX), in bytes. */
  private static final int MAX_NAME_BYTES = 255;
  /** An unsigned long's 20 digits and ".tmp". */
  private static final int MAX_RANDOM_NAME_BYTES = 24;

  private HibpSetWriter(Path file, HibpSetParameters p, Instant buildTime) throws IOException {
    this.file = file;
    this.p = p;
    this.buckets = p.bucketCount();
    this.bucketsPerBlock = p.bucketsPerBlock();
    this.buildTime = buildTime;
    this.blockEnd = Math.min(bucketsPerBlock, buckets);
    Path dir = file.toAbsolutePath().getParent();
    // Named first, and the clean-up hook in place before either file exists: a stop that lands in between
    // would otherwise leave the file behind.
    Path overflowName = temporaryName(dir, "." + file.getFileName() + "-overflow-");
    this.overflowFile = overflowName;
    this.cleanupOnExit = new ExitCleanup("hibp-writer-cleanup", () -> {
      ExitCleanup.deleteQuietly(overflowName);
      if (!finished) {
        ExitCleanup.deleteQuietly(file);
      }
    });
    FileChannel[] opened = new FileChannel[2];
    try {
      cleanupOnExit.create(() -> {
        opened[0] = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE, StandardOpenOption.READ);
        opened[1] = FileChannel.open(overflowName, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            StandardOpenOption.READ);
      });
    } catch (IOException | RuntimeException e) {
      if (opened[0] != null) {
        opened[0].close();
      }
      ExitCleanup.deleteQuietly(overflowName);
      cleanupOnExit.close();
      throw e;
    }
    this.out = opened[0];
    this.overflowOut = opened[1];
    this.blocks = new BitSink(out, HibpSetFormat.HEADER_SIZE);
    this.records = new BitSink(out, HibpSetFormat.HEADER_SIZE
        + HibpSetFormat.blocksLength(buckets, bucketsPerBlock));
    this.overflow = new BitSink(overflowOut, 0);
    this.current = new EncodedSlice(p, ADD_SLICE);
  }

  public static HibpSetWriter create(Path file, HibpSetParameters parameters, Instant buildTime)
      throws IOException {
    return new HibpSetWriter(file, parameters, buildTime);
  }

  /**
   * Adds a hash given by its first 128 bits (big-endian) and its breach count. Hashes must come in
   * ascending order; two that share bucket and fingerprint become one entry with the larger class.
   */
  public void add(long hi, long lo, long count) throws IOException {
    if (current.entries == current.capacity()) {
      append(current);
      current.clearAfterLast();
    }
    current.add(hi, lo, count);
  }

  /**
   * An empty slice for up to {@code capacity} hashes, to be filled on any thread and then {@link #append}ed;
   * slices are independent of each other and of the writer's state.
   */
  public EncodedSlice newSlice(int capacity) {
    if (capacity < POOLED_CAPACITY / 4 || capacity > POOLED_CAPACITY) {
      return new EncodedSlice(p, capacity);
    }
    EncodedSlice s = pool.poll();
    return s != null ? s : new EncodedSlice(p, POOLED_CAPACITY);
  }

  /** Gives a slice that was appended back for reuse. */
  private void recycle(EncodedSlice s) {
    if (s.capacity() == POOLED_CAPACITY) {
      s.clear();
      pool.add(s);
    }
  }

  /**
   * Adds the slice's entries after those added so far. Its first hash must come after the last one added
   * (it may share bucket and fingerprint with it: the two merge).
   */
  public void append(EncodedSlice s) throws IOException {
    try {
      appendEntries(s);
    } finally {
      recycle(s);
    }
  }

  private void appendEntries(EncodedSlice s) throws IOException {
    if (s.entries == 0) {
      return;
    }
    int firstClass = s.firstClass();
    long firstBucket = s.firstBucket();
    boolean merge = false;
    if (pendingFingerprint >= 0 && firstBucket == bucket) {
      merge = s.firstFingerprint == pendingFingerprint;
      if (s.firstFingerprint < pendingFingerprint) {
        throw new IllegalArgumentException("hashes out of order");
      }
    } else if (firstBucket < bucket) {
      throw new IllegalArgumentException("hashes out of order");
    }
    for (int i = 0; i < histogram.length; i++) {
      histogram[i] += s.histogram[i];
    }
    if (merge) {
      pendingClass = Math.max(pendingClass, firstClass);
      if (s.entries == 1) {
        return;
      }
      // The slice's first record, already packed and counted, is the merged one: skipped.
      histogram[firstClass]--;
      flushPending();
      records.writeBits(s.records, p.entryBits(), s.recordBits - p.entryBits());
      entries += s.entries - 2;
    } else {
      flushPending();
      records.writeBits(s.records, 0, s.recordBits);
      entries += s.entries - 1;
    }
    for (int k = 0; k < s.pieces; k++) {
      int from = s.pieceStart[k];
      int to = s.pieceEnd(k);
      int zeros = s.pieceEntries(k);
      long first = s.pieceBucket[k];
      if (k == 0 && merge) {
        // The merged entry's 0 bit is already in the bitmap.
        from++;
        zeros--;
      }
      advanceTo(first);
      appendBits(s.bitmap, from, to - from);
      blockEntries += zeros;
      bucket = first + (s.pieceEnd(k) - s.pieceStart[k]) - s.pieceEntries(k);
    }
    pendingFingerprint = s.lastFingerprint;
    pendingClass = s.lastClass;
  }

  /** Completes the file: overflow bitmaps appended, header written and the file forced to disk. */
  public HibpSetHeader finish() throws IOException {
    append(current);
    current.clearAfterLast();
    flushPending();
    advanceTo(buckets);
    blocks.finish(0);
    records.finish(1);
    overflow.finish(0);
    if (blocksWritten != HibpSetFormat.blocks(buckets, bucketsPerBlock)) {
      throw new IllegalStateException("wrote " + blocksWritten + " blocks for " + buckets + " buckets");
    }
    long overflowBytes = overflowOut.size();
    HibpSetHeader header = HibpSetHeader.layout(p, entries, buildTime, overflowBytes, blocks.crc(),
        records.crc(), overflow.crc(), overflowBlocks, histogram);
    long at = header.overflowOffset();
    for (long done = 0; done < overflowBytes; ) {
      done += overflowOut.transferTo(done, overflowBytes - done, out.position(at + done));
    }
    out.write(header.encode(), 0);
    out.force(true);
    finished = true;
    return header;
  }

  /** Closes the channels; deletes the side file, and the target too unless {@link #finish()} completed. */
  @Override
  public void close() throws IOException {
    try (out; overflowOut) {
      Files.deleteIfExists(overflowFile);
    } finally {
      if (!finished) {
        Files.deleteIfExists(file);
      }
      cleanupOnExit.close();
    }
  }

  /**
   * A name for a temporary file in {@code dir}: {@code prefix}, a random number, {@code .tmp}. Not created, so
   * that a clean-up hook can be in place before the file exists; create it with {@code CREATE_NEW} (which
   * refuses an existing file or link of that name).
   */
  public static Path temporaryName(Path dir, String prefix) {
    String suffix = Long.toUnsignedString(NAMES.nextLong()) + ".tmp";
    // Named after a target whose own name may use most of the file system's 255 bytes (and the side file after
    // the temporary one): cut, so that every name the file system takes for a target can be built.
    return dir.resolve(cutToUtf8Bytes(prefix, MAX_NAME_BYTES - MAX_RANDOM_NAME_BYTES) + suffix);
  }

  /** The longest start of {@code s}, whole code points, that is at most {@code maxBytes} bytes of UTF-8. */
  private static String cutToUtf8Bytes(String s, int maxBytes) {
    int bytes = 0;
    int end = 0;
    while (end < s.length()) {
      int cp = s.codePointAt(end);
      bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes > maxBytes) {
        break;
      }
      end += Character.charCount(cp);
    }
    return s.substring(0, end);
  }

  /** Entries so far (hashes added but not yet appended are counted as they stand, before any merge). */
  public long entries() {
    return entries + (pendingFingerprint >= 0 ? 1 : 0) + current.entries;
  }

  private void flushPending() throws IOException {
    if (pendingFingerprint < 0) {
      return;
    }
    records.write(pendingFingerprint << p.classBits() | pendingClass, p.entryBits());
    histogram[pendingClass]++;
    entries++;
    pendingFingerprint = -1;
  }

  /** Ends every bucket before {@code target}, writing out each block that this completes. */
  private void advanceTo(long target) throws IOException {
    while (bucket < target) {
      long step = Math.min(target, blockEnd) - bucket;
      appendOnes((int) step);
      bucket += step;
      if (bucket == blockEnd) {
        writeBlock();
        blockEnd = Math.min(blockEnd + bucketsPerBlock, buckets);
      }
    }
  }

  private void writeBlock() throws IOException {
    long count = Math.min(blockEntries, HibpSetFormat.COUNT_MAX);
    long head = blockBase | count << HibpSetFormat.BASE_BITS;
    int words = (blockBitCount + 63) >>> 6;
    if (blockBitCount <= HibpSetFormat.BLOCK_BITMAP_BITS) {
      blocks.writeLong(head);
      for (int i = 0; i < HibpSetFormat.BLOCK_WORDS - 1; i++) {
        blocks.writeLong(blockBits[i]);
      }
    } else {
      blocks.writeLong(head | Long.MIN_VALUE);
      blocks.writeLong(overflow.wordsWritten());
      for (int i = 2; i < HibpSetFormat.BLOCK_WORDS; i++) {
        blocks.writeLong(0);
      }
      for (int i = 0; i < words; i++) {
        overflow.writeLong(blockBits[i]);
      }
      overflowBlocks++;
    }
    Arrays.fill(blockBits, 0, Math.max(words, HibpSetFormat.BLOCK_WORDS - 1), 0);
    blockBitCount = 0;
    blockBase += blockEntries;
    blockEntries = 0;
    blocksWritten++;
  }

  /** Appends {@code n} bits of {@code src} from bit {@code from} to the block's bitmap. */
  private void appendBits(long[] src, int from, int n) {
    ensureCapacity(blockBitCount + n);
    blockBitCount = Bits.copy(src, from, blockBits, blockBitCount, n);
  }

  private void appendOnes(int n) {
    ensureCapacity(blockBitCount + n);
    int at = blockBitCount;
    int end = at + n;
    while (at < end) {
      int bit = at & 63;
      int k = Math.min(64 - bit, end - at);
      long ones = k == 64 ? -1L : ((1L << k) - 1) << bit;
      blockBits[at >>> 6] |= ones;
      at += k;
    }
    blockBitCount = end;
  }

  private void ensureCapacity(int bits) {
    if (bits > blockBits.length * 64) {
      blockBits = Arrays.copyOf(blockBits, Math.max(blockBits.length * 2, (bits + 63) >>> 6));
    }
  }
}
