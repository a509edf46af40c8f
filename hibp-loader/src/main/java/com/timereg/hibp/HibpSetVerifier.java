package com.timereg.hibp;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads a whole set once, sequentially, and checks it against its header: the three section checksums,
 * a page table that starts at bucket 0, rises strictly and agrees with its anchors, a group table that names
 * the page of every group's first bucket; per page, a head that counts its entries, a bitmap with one
 * terminator per bucket the table gives the page, bitmap and records that fit the page without
 * overlapping, zero padding between them; overflow used only by a bucket too large for a page;
 * fingerprints strictly ascending within each bucket, and the class histogram.
 */
final class HibpSetVerifier {
  private final HibpSetHeader h;
  private final HibpSetParameters p;
  private final int entryBits;
  private final FileChannel ch;
  private final BitSource pages;
  private final BitSource table;
  private final BitSource overflow;
  private final long[] histogram;
  private final long[] words = new long[HibpSetFormat.PAGE_WORDS];
  private final BitSource groups;
  private long nextGroupStart;
  private long entries;
  private long overflowRecords;
  private long overflowPages;

  private HibpSetVerifier(HibpSetHeader h, FileChannel ch) {
    this.h = h;
    this.p = h.parameters();
    this.entryBits = p.entryBits();
    this.ch = ch;
    this.pages = new BitSource(ch, h.pagesOffset(), h.tableOffset() - h.pagesOffset());
    this.table = new BitSource(ch, h.tableOffset(), h.overflowOffset() - h.tableOffset());
    this.overflow = new BitSource(ch, h.overflowOffset(), h.fileLength() - h.overflowOffset());
    this.histogram = new long[h.classHistogram().length];
    long groupsAt = HibpSetFormat.groupsOffset(h.pageCount());
    this.groups = new BitSource(ch, groupsAt, h.overflowOffset() - groupsAt);
  }

  static void verify(Path path, HibpSetHeader h) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      new HibpSetVerifier(h, ch).run();
    }
  }

  private void run() throws IOException {
    requireZeroHeaderPadding();
    long pageCount = h.pageCount();
    long[] anchors = readAnchors(pageCount);
    try {
      long first = firstBucket(0, anchors);
      if (first != 0) {
        throw new CorruptSetException("page table: page 0 starts at bucket " + first);
      }
      for (long page = 0; page < pageCount; page++) {
        long next = page + 1 < pageCount ? firstBucket(page + 1, anchors) : p.bucketCount();
        if (next <= first || next > p.bucketCount()) {
          throw new CorruptSetException("page table: page " + (page + 1) + " does not start after page " + page);
        }
        requireGroupsPointAt(page, next);
        verifyPage(page, first, next - first);
        first = next;
      }
      if ((pageCount & 1) == 1 && table.read(32) != 0) {
        throw new CorruptSetException("page table: nonzero padding");
      }
      for (long anchor : anchors) {
        table.read(64);
      }
      // The group entries were checked through their own source; the table's pass reads them for its checksum.
      for (long g = 0; g < HibpSetFormat.groups(p.bucketCount()); g++) {
        table.read(32);
      }
    } catch (EOFException e) {
      throw new CorruptSetException("a section is truncated: " + e.getMessage());
    }
    if (entries != h.entryCount()) {
      throw new CorruptSetException("pages hold " + entries + " entries, header says " + h.entryCount());
    }
    if (overflowPages != h.overflowPages()) {
      throw new CorruptSetException(overflowPages + " pages overflow, header says " + h.overflowPages());
    }
    if (!Arrays.equals(histogram, h.classHistogram())) {
      throw new CorruptSetException("class histogram disagrees with the records");
    }
    checkRest("pages", pages, h.pagesCrc());
    checkRest("table", table, h.tableCrc());
    checkRest("overflow", overflow, h.overflowCrc());
  }

  private void requireZeroHeaderPadding() throws IOException {
    ByteBuffer pad = ByteBuffer.allocate(HibpSetFormat.PAGE_BYTES - HibpSetFormat.HEADER_SIZE);
    while (pad.hasRemaining()) {
      if (ch.read(pad, HibpSetFormat.HEADER_SIZE + pad.position()) < 0) {
        throw new CorruptSetException("file ends inside the header page");
      }
    }
    for (byte b : pad.array()) {
      if (b != 0) {
        throw new CorruptSetException("nonzero padding after the header");
      }
    }
  }

  /** The anchors, read separately so that the table's own pass can check and checksum them in order. */
  private long[] readAnchors(long pageCount) throws IOException {
    long at = HibpSetFormat.anchorsOffset(pageCount);
    BitSource source = new BitSource(ch, at, h.overflowOffset() - at);
    long[] anchors = new long[(int) HibpSetFormat.anchors(pageCount)];
    try {
      for (int i = 0; i < anchors.length; i++) {
        anchors[i] = source.nextWord();
      }
    } catch (EOFException e) {
      throw new CorruptSetException("page table anchors truncated");
    }
    return anchors;
  }

  /** Reads the next table entry (that of {@code page}) and widens it as the reader does. */
  private long firstBucket(long page, long[] anchors) throws IOException {
    long anchor = anchors[(int) (page >>> HibpSetFormat.ANCHOR_SHIFT)];
    long first = HibpSetFormat.widen(anchor, (int) table.read(32));
    if ((page & ((1 << HibpSetFormat.ANCHOR_SHIFT) - 1)) == 0 && first != anchor) {
      throw new CorruptSetException("page table: anchor of page " + page + " disagrees with the table");
    }
    return first;
  }

  /** Groups whose first bucket lies before {@code next} (and after earlier pages) must name {@code page}. */
  private void requireGroupsPointAt(long page, long next) throws IOException {
    for (; nextGroupStart < next; nextGroupStart += 1L << HibpSetFormat.GROUP_SHIFT) {
      if (groups.read(32) != page) {
        throw new CorruptSetException("group table: the group of bucket " + nextGroupStart + " does not name page "
            + page);
      }
    }
  }

  private void verifyPage(long page, long firstBucket, long buckets) throws IOException {
    for (int i = 0; i < words.length; i++) {
      words[i] = pages.nextWord();
    }
    long head = words[0];
    if (head < 0) {
      verifyOverflowPage(page, firstBucket, head & HibpSetFormat.COUNT_MASK, buckets);
      return;
    }
    if ((head & ~HibpSetFormat.COUNT_MASK) != 0) {
      throw new CorruptSetException("page " + page + ": unknown flags in its head");
    }
    long bit = 64;
    long index = 0;
    for (long b = 0; b < buckets; b++) {
      long previous = -1;
      while (true) {
        if (bit >= HibpSetFormat.PAGE_BITS) {
          throw new CorruptSetException("page " + page + ": bitmap runs past the page");
        }
        if ((words[(int) (bit >>> 6)] >>> bit & 1) != 0) {
          bit++;
          break;
        }
        bit++;
        previous = verifyEntry(firstBucket + b, previous, record(index++));
      }
    }
    long bitmapBits = bit - 64;
    if (index != head || !HibpSetFormat.fits(bitmapBits, index, entryBits)) {
      throw new CorruptSetException("page " + page + ": entry count or size disagrees with its bitmap");
    }
    for (long free = HibpSetFormat.recordBit(index - 1, entryBits); bit < free; bit++) {
      if ((words[(int) (bit >>> 6)] >>> bit & 1) != 0) {
        throw new CorruptSetException("page " + page + ": nonzero padding");
      }
    }
  }

  private void verifyOverflowPage(long page, long bucket, long count, long buckets) throws IOException {
    if (buckets != 1 || words[0] != (Long.MIN_VALUE | count) || words[1] != overflowRecords) {
      throw new CorruptSetException("page " + page + ": overflow page out of sequence");
    }
    if (count <= HibpSetFormat.maxEntriesAlone(entryBits)) {
      throw new CorruptSetException("page " + page + ": overflows although its bucket fits a page");
    }
    for (int i = 2; i < words.length; i++) {
      if (words[i] != 0) {
        throw new CorruptSetException("page " + page + ": nonzero padding");
      }
    }
    long previous = -1;
    for (long i = 0; i < count; i++) {
      previous = verifyEntry(bucket, previous, overflow.read(entryBits));
    }
    overflowPages++;
    overflowRecords += count;
  }

  private long record(long index) {
    long bit = HibpSetFormat.recordBit(index, entryBits);
    int word = (int) (bit >>> 6);
    int shift = (int) (bit & 63);
    long v = words[word] >>> shift;
    if (shift + entryBits > 64) {
      v |= words[word + 1] << (64 - shift);
    }
    return v & ((1L << entryBits) - 1);
  }

  private long verifyEntry(long bucket, long previous, long rec) throws CorruptSetException {
    if (++entries > h.entryCount()) {
      throw new CorruptSetException("pages hold more entries than the header's " + h.entryCount());
    }
    long fp = rec >>> p.classBits();
    if (fp <= previous) {
      throw new CorruptSetException("fingerprints out of order in bucket " + bucket);
    }
    histogram[(int) (rec & ((1 << p.classBits()) - 1))]++;
    return fp;
  }

  private static void checkRest(String section, BitSource source, int expectedCrc) throws IOException {
    if (!source.restIsZero()) {
      throw new CorruptSetException(section + " section has trailing data");
    }
    if (source.crc() != expectedCrc) {
      throw new CorruptSetException(section + " section checksum mismatch");
    }
  }
}
