package com.timereg.hibp;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Reads a whole set once, sequentially, and checks it against its header: the three section checksums,
 * one terminator per bucket and one record per entry, block heads that agree with the bitmaps, overflow
 * used only where a bitmap does not fit its block, fingerprints strictly ascending within each bucket, the
 * class histogram and zero padding.
 */
final class HibpSetVerifier {
  private static final int INLINE_BITS = HibpSetFormat.BLOCK_BITMAP_BITS;

  private final HibpSetHeader h;
  private final HibpSetParameters p;
  private final BitSource blocks;
  private final BitSource records;
  private final BitSource overflow;
  private final long[] histogram;
  private long entries;
  private long overflowWords;
  private long overflowBlocks;

  private HibpSetVerifier(HibpSetHeader h, FileChannel ch) {
    this.h = h;
    this.p = h.parameters();
    this.blocks = new BitSource(ch, h.blocksOffset(), h.recordsOffset() - h.blocksOffset());
    this.records = new BitSource(ch, h.recordsOffset(), h.overflowOffset() - h.recordsOffset());
    this.overflow = new BitSource(ch, h.overflowOffset(), h.fileLength() - h.overflowOffset());
    this.histogram = new long[h.classHistogram().length];
  }

  /** Checks the file open on {@code ch} (positional reads only: the channel's position is not used). */
  static void verify(FileChannel ch, HibpSetHeader h) throws IOException {
    new HibpSetVerifier(h, ch).run();
  }

  private void run() throws IOException {
    long blockCount = HibpSetFormat.blocks(p.bucketCount(), p.bucketsPerBlock());
    try {
      for (long block = 0; block < blockCount; block++) {
        long firstBucket = block * p.bucketsPerBlock();
        verifyBlock(block, firstBucket, Math.min(p.bucketsPerBlock(), p.bucketCount() - firstBucket));
      }
    } catch (EOFException e) {
      throw new CorruptSetException("a section is truncated: " + e.getMessage());
    }
    if (entries != h.entryCount()) {
      throw new CorruptSetException("bitmaps hold " + entries + " entries, header says " + h.entryCount());
    }
    if (overflowBlocks != h.overflowBlocks()) {
      throw new CorruptSetException(overflowBlocks + " blocks overflow, header says " + h.overflowBlocks());
    }
    if (!Arrays.equals(histogram, h.classHistogram())) {
      throw new CorruptSetException("class histogram disagrees with the records");
    }
    checkRest("blocks", blocks, h.blocksCrc());
    checkRest("records", records, h.recordsCrc());
    checkRest("overflow", overflow, h.overflowCrc());
  }

  private void verifyBlock(long block, long firstBucket, long bucketsHere) throws IOException {
    long head = blocks.read(64);
    long base = entries;
    if ((head & HibpSetFormat.BASE_MASK) != base) {
      throw new CorruptSetException("block " + block + ": entry count before it disagrees with the bitmaps");
    }
    boolean overflowed = head < 0;
    if (overflowed) {
      if (blocks.read(64) != overflowWords) {
        throw new CorruptSetException("block " + block + ": overflow pointer out of sequence");
      }
      requireZero(blocks, INLINE_BITS - 64, block);
    }
    BitSource bits = overflowed ? overflow : blocks;
    long used = 0;
    for (long bucket = firstBucket; bucket < firstBucket + bucketsHere; bucket++) {
      long previous = -1;
      while (true) {
        if (!overflowed && used == INLINE_BITS) {
          throw new CorruptSetException("block " + block + ": bitmap runs past the block");
        }
        used++;
        if (bits.readBit()) {
          break;
        }
        previous = verifyEntry(bucket, previous);
      }
    }
    if (overflowed) {
      if (used <= INLINE_BITS) {
        throw new CorruptSetException("block " + block + ": overflows although its bitmap fits");
      }
      requireZero(overflow, (int) ((64 - used % 64) % 64), block);
      overflowWords += (used + 63) / 64;
      overflowBlocks++;
    } else {
      requireZero(blocks, (int) (INLINE_BITS - used), block);
    }
    long count = Math.min(entries - base, HibpSetFormat.COUNT_MAX);
    if (((head & Long.MAX_VALUE) >>> HibpSetFormat.BASE_BITS) != count) {
      throw new CorruptSetException("block " + block + ": entry count disagrees with its bitmap");
    }
  }

  private long verifyEntry(long bucket, long previous) throws IOException {
    if (++entries > h.entryCount()) {
      throw new CorruptSetException("bitmaps hold more entries than the header's " + h.entryCount());
    }
    long rec = records.read(p.entryBits());
    long fp = rec >>> p.classBits();
    if (fp <= previous) {
      throw new CorruptSetException("fingerprints out of order in bucket " + bucket);
    }
    histogram[(int) (rec & ((1 << p.classBits()) - 1))]++;
    return fp;
  }

  private static void requireZero(BitSource source, int bits, long block) throws IOException {
    for (int left = bits; left > 0; left -= 64) {
      if (source.read(Math.min(64, left)) != 0) {
        throw new CorruptSetException("block " + block + ": nonzero padding");
      }
    }
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
