package com.timereg.hibp;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Streams hashes, in ascending order, into a set file in constant memory. Samples and records go to their
 * final places as they are produced; the bucket bitmap, whose offset depends on the final entry count,
 * goes to a side file beside the target and is appended by {@link #finish()}. The header is written last,
 * so a file whose build was interrupted never carries a valid header.
 *
 * <p>Writes the file in place: callers that replace a live set write to a temporary name and rename
 * (the build package does).
 */
public final class HibpSetWriter implements Closeable {
  private final Path file;
  private final Path bitmapFile;
  private final HibpSetParameters p;
  private final long buckets;
  private final int fingerprintBits;
  private final int topClass;
  private final Instant buildTime;
  private final FileChannel out;
  private final FileChannel bitmapOut;
  private final BitSink samples;
  private final BitSink data;
  private final BitSink bitmap;
  private final long blocks;
  private final long[] histogram = new long[HibpSetHeader.histogramSlots()];
  private long samplesWritten;
  private long entries;
  private long bucket;
  private long pendingFingerprint = -1;
  private int pendingClass;
  private boolean finished;

  private HibpSetWriter(Path file, HibpSetParameters p, Instant buildTime) throws IOException {
    this.file = file;
    this.p = p;
    this.buckets = p.bucketCount();
    this.fingerprintBits = p.fingerprintBits();
    this.topClass = (1 << p.classBits()) - 1;
    this.buildTime = buildTime;
    this.blocks = HibpSetFormat.blocks(p.bucketCount());
    this.out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE, StandardOpenOption.READ);
    Path dir = file.toAbsolutePath().getParent();
    this.bitmapFile = Files.createTempFile(dir, "." + file.getFileName() + "-bitmap-", ".tmp");
    this.bitmapOut = FileChannel.open(bitmapFile, StandardOpenOption.WRITE, StandardOpenOption.READ);
    this.samples = new BitSink(out, HibpSetFormat.HEADER_SIZE);
    this.data = new BitSink(out, HibpSetFormat.HEADER_SIZE + HibpSetFormat.samplesLength(p.bucketCount()));
    this.bitmap = new BitSink(bitmapOut, 0);
    writeSamples(1, 0);
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
    advanceTo(b);
    // The entry's 0 bit in the bitmap is written now; its record once no later hash can merge into it.
    bitmap.write(0, 1);
    pendingFingerprint = fp;
    pendingClass = cls;
  }

  /** Completes the file: bitmap appended, header written and the file forced to disk. */
  public HibpSetHeader finish() throws IOException {
    flushPending();
    advanceTo(p.bucketCount());
    samples.finish(0);
    data.finish(1);
    bitmap.finish(0);
    if (samplesWritten != blocks) {
      throw new IllegalStateException("wrote " + samplesWritten + " samples for " + blocks + " blocks");
    }
    HibpSetHeader header = HibpSetHeader.layout(p, entries, buildTime, samples.crc(), data.crc(), bitmap.crc(),
        histogram);
    long at = header.bitmapOffset();
    long length = bitmapOut.size();
    for (long done = 0; done < length; ) {
      done += bitmapOut.transferTo(done, length - done, out.position(at + done));
    }
    out.write(header.encode(), 0);
    out.force(true);
    finished = true;
    return header;
  }

  /** Closes the channels; deletes the side file, and the target too unless {@link #finish()} completed. */
  @Override
  public void close() throws IOException {
    try (out; bitmapOut) {
      Files.deleteIfExists(bitmapFile);
    } finally {
      if (!finished) {
        Files.deleteIfExists(file);
      }
    }
  }

  public long entries() {
    return entries + (pendingFingerprint >= 0 ? 1 : 0);
  }

  private void flushPending() throws IOException {
    if (pendingFingerprint < 0) {
      return;
    }
    data.write(pendingFingerprint << p.classBits() | pendingClass, p.entryBits());
    histogram[pendingClass]++;
    entries++;
    pendingFingerprint = -1;
  }

  /** Ends every bucket before {@code target}; blocks that start on the way record the entries so far. */
  private void advanceTo(long target) throws IOException {
    if (target == bucket) {
      return;
    }
    bitmap.writeOnes(target - bucket);
    long firstBlock = (bucket >>> HibpSetFormat.BLOCK_SHIFT) + 1;
    long lastBlock = Math.min(target >>> HibpSetFormat.BLOCK_SHIFT, blocks - 1);
    if (lastBlock >= firstBlock) {
      writeSamples(lastBlock - firstBlock + 1, entries);
    }
    bucket = target;
  }

  private void writeSamples(long count, long value) throws IOException {
    for (long i = 0; i < count; i++) {
      samples.writeLong(value);
    }
    samplesWritten += count;
  }
}
