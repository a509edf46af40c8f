package com.timereg.hibp;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Streams hashes, in ascending order, into a set file in constant memory: one page and one bucket are
 * held at a time. Pages go to their final places as they fill; the page table and the records of
 * overflowed buckets, whose offsets depend on the final page count, go to side files beside the target and
 * are copied in by {@link #finish()}. The header is written last, so a file whose build was interrupted
 * never carries a valid header.
 *
 * <p>Writes the file in place: callers that replace a live set write to a temporary name and rename
 * (the build package does).
 */
public final class HibpSetWriter implements Closeable {
  private final Path file;
  private final Path tableFile;
  private final Path overflowFile;
  private final Path groupsFile;
  private final HibpSetParameters p;
  private final long buckets;
  private final int fingerprintBits;
  private final int entryBits;
  private final int topClass;
  private final Instant buildTime;
  private final FileChannel out;
  private final FileChannel tableOut;
  private final FileChannel overflowOut;
  private final FileChannel groupsOut;
  private final BitSink pages;
  private final BitSink firstBuckets;
  private final BitSink overflow;
  private final BitSink groupPages;
  /** The next bucket that starts a group; its page goes to the group table when it is placed. */
  private long nextGroupStart;
  private final long[] histogram = new long[HibpSetHeader.histogramSlots()];
  private final PageImage page;
  /** Records of the open bucket while it can still fit a page; past that they stream to the overflow file. */
  private final long[] bucketRecords;
  private int bucketEntries;
  private long overflowingCount = -1;
  private long overflowStart;
  private long overflowRecords;
  private long overflowPages;
  private long pagesWritten;
  private long entries;
  /** The open bucket: entries added now belong to it. */
  private long bucket;
  /** Buckets before this one have their place in a page. */
  private long placed;
  private long pendingFingerprint = -1;
  private int pendingClass;
  private boolean finished;

  private HibpSetWriter(Path file, HibpSetParameters p, Instant buildTime) throws IOException {
    this.file = file;
    this.p = p;
    this.buckets = p.bucketCount();
    this.fingerprintBits = p.fingerprintBits();
    this.entryBits = p.entryBits();
    this.topClass = (1 << p.classBits()) - 1;
    this.buildTime = buildTime;
    this.page = new PageImage(entryBits);
    this.bucketRecords = new long[HibpSetFormat.maxEntriesAlone(entryBits)];
    this.out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE, StandardOpenOption.READ);
    Path dir = file.toAbsolutePath().getParent();
    String name = "." + file.getFileName();
    this.tableFile = Files.createTempFile(dir, name + "-table-", ".tmp");
    this.overflowFile = Files.createTempFile(dir, name + "-overflow-", ".tmp");
    this.tableOut = FileChannel.open(tableFile, StandardOpenOption.WRITE, StandardOpenOption.READ);
    this.overflowOut = FileChannel.open(overflowFile, StandardOpenOption.WRITE, StandardOpenOption.READ);
    this.groupsFile = Files.createTempFile(dir, name + "-groups-", ".tmp");
    this.groupsOut = FileChannel.open(groupsFile, StandardOpenOption.WRITE, StandardOpenOption.READ);
    this.pages = new BitSink(out, HibpSetFormat.pagesOffset());
    this.firstBuckets = new BitSink(tableOut, 0);
    this.overflow = new BitSink(overflowOut, 0);
    this.groupPages = new BitSink(groupsOut, 0);
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
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1: " + count);
    }
    long b = HibpSetFormat.bucket(hi, lo, buckets);
    long fp = HibpSetFormat.fingerprint(hi, lo, buckets, fingerprintBits);
    int cls = Math.min(topClass, 63 - Long.numberOfLeadingZeros(count));
    if (b == bucket && pendingFingerprint >= 0) {
      if (fp == pendingFingerprint) {
        pendingClass = Math.max(pendingClass, cls);
        return;
      }
      if (fp < pendingFingerprint) {
        throw new IllegalArgumentException("hashes out of order");
      }
    } else if (b < bucket) {
      throw new IllegalArgumentException("hashes out of order");
    }
    flushPending();
    if (b > bucket) {
      advanceTo(b);
    }
    // The record is kept back until no later hash can merge into it.
    pendingFingerprint = fp;
    pendingClass = cls;
  }

  /** Completes the file: table and overflow records copied in, header written and the file forced to disk. */
  public HibpSetHeader finish() throws IOException {
    flushPending();
    advanceTo(buckets);
    if (page.isOpen()) {
      closePage();
    }
    pages.finish(0);
    firstBuckets.finish(0);
    groupPages.finish(0);
    overflow.finish(overflowRecords > 0 ? 1 : 0);
    long overflowBytes = overflowOut.size();
    long tableAt = HibpSetFormat.tableOffset(pagesWritten);
    BitSink table = new BitSink(out, tableAt);
    writeTable(table);
    HibpSetHeader header = HibpSetHeader.layout(p, entries, buildTime, pagesWritten, overflowBytes,
        pages.crc(), table.crc(), overflow.crc(), overflowPages, histogram);
    long at = header.overflowOffset();
    for (long done = 0; done < overflowBytes; ) {
      done += overflowOut.transferTo(done, overflowBytes - done, out.position(at + done));
    }
    out.write(header.encode(), 0);
    out.force(true);
    finished = true;
    return header;
  }

  /** Closes the channels; deletes the side files, and the target too unless {@link #finish()} completed. */
  @Override
  public void close() throws IOException {
    try (out; tableOut; overflowOut; groupsOut) {
      Files.deleteIfExists(tableFile);
      Files.deleteIfExists(overflowFile);
      Files.deleteIfExists(groupsFile);
    } finally {
      if (!finished) {
        Files.deleteIfExists(file);
      }
    }
  }

  public long entries() {
    return entries + (pendingFingerprint >= 0 ? 1 : 0);
  }

  /**
   * Copies the first bucket of every page from its side file into the table (low 32 bits), then the anchors,
   * then the group table from its side file.
   */
  private void writeTable(BitSink table) throws IOException {
    BitSource firsts = new BitSource(tableOut, 0, pagesWritten * Long.BYTES);
    List<Long> anchors = new ArrayList<>();
    for (long pg = 0; pg < pagesWritten; pg++) {
      long first = firsts.nextWord();
      table.write(first & 0xFFFF_FFFFL, 32);
      if ((pg & ((1 << HibpSetFormat.ANCHOR_SHIFT) - 1)) == 0) {
        anchors.add(first);
      }
    }
    table.finish(0);
    for (long anchor : anchors) {
      table.writeLong(anchor);
    }
    long groups = HibpSetFormat.groups(buckets);
    BitSource pagesOfGroups = new BitSource(groupsOut, 0, groupsOut.size());
    for (long g = 0; g < groups; g++) {
      table.write(pagesOfGroups.read(32), 32);
    }
    table.finish(0);
  }

  private void flushPending() throws IOException {
    if (pendingFingerprint < 0) {
      return;
    }
    long record = pendingFingerprint << p.classBits() | pendingClass;
    histogram[pendingClass]++;
    entries++;
    pendingFingerprint = -1;
    if (overflowingCount >= 0) {
      overflow.write(record, entryBits);
      overflowingCount++;
    } else if (bucketEntries < bucketRecords.length) {
      bucketRecords[bucketEntries++] = record;
    } else {
      // Too many entries for any page: this bucket's records go to the overflow section.
      overflowStart = overflowRecords;
      for (int i = 0; i < bucketEntries; i++) {
        overflow.write(bucketRecords[i], entryBits);
      }
      overflow.write(record, entryBits);
      overflowingCount = bucketEntries + 1L;
      bucketEntries = 0;
    }
  }

  /** Places the open bucket and the empty ones up to {@code target}, which becomes the open bucket. */
  private void advanceTo(long target) throws IOException {
    placeOpenBucket();
    long empty = target - placed;
    while (empty > 0) {
      if (!page.isOpen()) {
        page.open(placed);
      }
      long k = Math.min(empty, page.freeBitmapBits());
      if (k == 0) {
        closePage();
        continue;
      }
      page.appendEmptyBuckets((int) k);
      placed(placed + k, pagesWritten);
      placed += k;
      empty -= k;
    }
    bucket = target;
  }

  private void placeOpenBucket() throws IOException {
    if (overflowingCount >= 0) {
      if (page.isOpen()) {
        closePage();
      }
      placed(bucket + 1, pagesWritten);
      pages.writeLong(Long.MIN_VALUE | overflowingCount);
      pages.writeLong(overflowStart);
      for (int i = 2; i < HibpSetFormat.PAGE_WORDS; i++) {
        pages.writeLong(0);
      }
      firstBuckets.writeLong(bucket);
      pagesWritten++;
      overflowPages++;
      overflowRecords += overflowingCount;
      overflowingCount = -1;
    } else {
      if (page.isOpen() && !page.fits(bucketEntries)) {
        closePage();
      }
      if (!page.isOpen()) {
        page.open(bucket);
      }
      page.appendBucket(bucketRecords, bucketEntries);
      placed(bucket + 1, pagesWritten);
      bucketEntries = 0;
    }
    placed = bucket + 1;
  }

  /** Buckets up to {@code end} are placed, the last of them in page {@code pageIndex}: note the groups starting there. */
  private void placed(long end, long pageIndex) throws IOException {
    if (pageIndex > 0xFFFF_FFFFL) {
      throw new IllegalStateException("more than 2^32 pages (16 TiB): the group table holds 32-bit page numbers");
    }
    for (; nextGroupStart < end; nextGroupStart += 1L << HibpSetFormat.GROUP_SHIFT) {
      groupPages.write(pageIndex, 32);
    }
  }

  private void closePage() throws IOException {
    firstBuckets.writeLong(page.firstBucket());
    page.writeTo(pages);
    pagesWritten++;
  }

  /** The page being filled: its head, bitmap (growing up from word 1) and records (growing down from the end). */
  private static final class PageImage {
    private final long[] words = new long[HibpSetFormat.PAGE_WORDS];
    private final int entryBits;
    private long firstBucket = -1;
    private int bitmapBits;
    private int entries;

    PageImage(int entryBits) {
      this.entryBits = entryBits;
    }

    boolean isOpen() {
      return firstBucket >= 0;
    }

    long firstBucket() {
      return firstBucket;
    }

    void open(long first) {
      firstBucket = first;
    }

    boolean fits(int bucketEntries) {
      return HibpSetFormat.fits(bitmapBits + bucketEntries + 1L, (long) entries + bucketEntries, entryBits);
    }

    /** Bitmap bits still free once the records are accounted for (the bitmap ends in whole words). */
    long freeBitmapBits() {
      long words = (HibpSetFormat.PAGE_BITS - 64 - (long) entries * entryBits) / 64;
      return Math.max(0, words * 64 - bitmapBits);
    }

    void appendBucket(long[] records, int count) {
      for (int i = 0; i < count; i++) {
        putRecord(entries + i, records[i]);
      }
      entries += count;
      bitmapBits += count;
      setOne(bitmapBits++);
    }

    void appendEmptyBuckets(int count) {
      int at = 64 + bitmapBits;
      int end = at + count;
      while (at < end) {
        int bit = at & 63;
        int k = Math.min(64 - bit, end - at);
        words[at >>> 6] |= (k == 64 ? -1L : (1L << k) - 1) << bit;
        at += k;
      }
      bitmapBits += count;
    }

    void writeTo(BitSink sink) throws IOException {
      words[0] = entries;
      for (long w : words) {
        sink.writeLong(w);
      }
      Arrays.fill(words, 0);
      firstBucket = -1;
      bitmapBits = 0;
      entries = 0;
    }

    private void setOne(int bitmapBit) {
      int at = 64 + bitmapBit;
      words[at >>> 6] |= 1L << at;
    }

    private void putRecord(int index, long record) {
      long at = HibpSetFormat.recordBit(index, entryBits);
      int word = (int) (at >>> 6);
      int shift = (int) (at & 63);
      words[word] |= record << shift;
      if (shift + entryBits > 64) {
        words[word + 1] |= record >>> (64 - shift);
      }
    }
  }
}
