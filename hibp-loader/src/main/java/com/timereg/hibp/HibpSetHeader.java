package com.timereg.hibp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The fixed {@value HibpSetFormat#HEADER_SIZE}-byte header. All integers little-endian.
 *
 * <pre>
 *   0 magic "HIBPSET\0"      8 version (int)         12 header size (int)
 *  16 entry count           24 bucket count          32 fingerprint bits (int)  36 class bits (int)
 *  40 buckets per block (int) 44 block bytes (int)   48 build time, epoch ms
 *  56 blocks offset         64 records offset        72 overflow offset         80 file length
 *  88 blocks CRC32C (int)   92 records CRC32C (int)  96 overflow CRC32C (int)  100 reserved (int)
 * 104 class histogram: 16 longs (entries per prevalence class)
 * 232 overflowed blocks     240 reserved, zero       252 CRC32C of bytes 0..251 (int)
 * </pre>
 */
public record HibpSetHeader(
    HibpSetParameters parameters,
    long entryCount,
    Instant buildTime,
    long blocksOffset,
    long recordsOffset,
    long overflowOffset,
    long fileLength,
    int blocksCrc,
    int recordsCrc,
    int overflowCrc,
    long overflowBlocks,
    long[] classHistogram) {

  private static final int HISTOGRAM_OFFSET = 104;
  private static final int HISTOGRAM_SLOTS = 1 << HibpSetFormat.MAX_CLASS_BITS;
  private static final int OVERFLOW_BLOCKS_OFFSET = 232;
  private static final int CRC_OFFSET = HibpSetFormat.HEADER_SIZE - Integer.BYTES;

  public HibpSetHeader {
    classHistogram = classHistogram.clone();
  }

  /** The header of a set of {@code entries} entries whose overflow section has {@code overflowBytes}. */
  static HibpSetHeader layout(HibpSetParameters p, long entries, Instant buildTime, long overflowBytes,
                              int blocksCrc, int recordsCrc, int overflowCrc, long overflowBlocks,
                              long[] histogram) {
    long blocks = HibpSetFormat.HEADER_SIZE;
    long records = blocks + HibpSetFormat.blocksLength(p.bucketCount(), p.bucketsPerBlock());
    long overflow = records + HibpSetFormat.recordsLength(entries, p.entryBits());
    return new HibpSetHeader(p, entries, buildTime, blocks, records, overflow, overflow + overflowBytes,
        blocksCrc, recordsCrc, overflowCrc, overflowBlocks, histogram);
  }

  @Override
  public long[] classHistogram() {
    return classHistogram.clone();
  }

  // Records compare arrays by reference; a header is a value, histogram included.
  @Override
  public boolean equals(Object o) {
    return o instanceof HibpSetHeader h && parameters.equals(h.parameters) && entryCount == h.entryCount
        && buildTime.equals(h.buildTime) && blocksOffset == h.blocksOffset && recordsOffset == h.recordsOffset
        && overflowOffset == h.overflowOffset && fileLength == h.fileLength && blocksCrc == h.blocksCrc
        && recordsCrc == h.recordsCrc && overflowCrc == h.overflowCrc && overflowBlocks == h.overflowBlocks
        && Arrays.equals(classHistogram, h.classHistogram);
  }

  @Override
  public int hashCode() {
    return Objects.hash(parameters, entryCount, buildTime, fileLength, blocksCrc, recordsCrc, overflowCrc);
  }

  @Override
  public String toString() {
    return "HibpSetHeader[" + parameters + ", entries=" + entryCount + ", built=" + buildTime + ", length="
        + fileLength + ", overflowBlocks=" + overflowBlocks + ", histogram=" + Arrays.toString(classHistogram)
        + "]";
  }

  public double falsePositiveRate() {
    return parameters.falsePositiveRate(entryCount);
  }

  ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate(HibpSetFormat.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(0, HibpSetFormat.MAGIC).putInt(8, HibpSetFormat.VERSION).putInt(12, HibpSetFormat.HEADER_SIZE)
        .putLong(16, entryCount).putLong(24, parameters.bucketCount())
        .putInt(32, parameters.fingerprintBits()).putInt(36, parameters.classBits())
        .putInt(40, parameters.bucketsPerBlock()).putInt(44, HibpSetFormat.BLOCK_BYTES)
        .putLong(48, buildTime.toEpochMilli())
        .putLong(56, blocksOffset).putLong(64, recordsOffset).putLong(72, overflowOffset).putLong(80, fileLength)
        .putInt(88, blocksCrc).putInt(92, recordsCrc).putInt(96, overflowCrc)
        .putLong(OVERFLOW_BLOCKS_OFFSET, overflowBlocks);
    for (int i = 0; i < classHistogram.length; i++) {
      b.putLong(HISTOGRAM_OFFSET + i * Long.BYTES, classHistogram[i]);
    }
    b.putInt(CRC_OFFSET, crc(b));
    return b;
  }

  /** Decodes and checks a header: magic, version, its own checksum and the consistency of its fields. */
  static HibpSetHeader decode(ByteBuffer raw, long actualFileLength) throws CorruptSetException {
    ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (b.remaining() < HibpSetFormat.HEADER_SIZE || b.getLong(0) != HibpSetFormat.MAGIC) {
      throw new CorruptSetException("not a HIBP set file (bad magic)");
    }
    int version = b.getInt(8);
    if (version == 1) {
      // Version 1 needed three dependent memory reads per lookup; rather than keep two readers, ask for a
      // rebuild, which takes minutes from the same download.
      throw new CorruptSetException("set file has format version 1, which this version no longer reads: "
          + "rebuild it with 'hibp-loader build <download> -o <set>'");
    }
    if (version != HibpSetFormat.VERSION) {
      throw new CorruptSetException("unsupported set version " + version + " (this reader knows "
          + HibpSetFormat.VERSION + ")");
    }
    if (b.getInt(12) != HibpSetFormat.HEADER_SIZE || b.getInt(CRC_OFFSET) != crc(b)) {
      throw new CorruptSetException("header checksum mismatch");
    }
    if (b.getInt(44) != HibpSetFormat.BLOCK_BYTES) {
      throw new CorruptSetException("unsupported block size " + b.getInt(44));
    }
    HibpSetParameters p;
    try {
      p = new HibpSetParameters(b.getLong(24), b.getInt(32), b.getInt(36), b.getInt(40));
    } catch (IllegalArgumentException e) {
      throw new CorruptSetException("invalid parameters: " + e.getMessage());
    }
    long entries = b.getLong(16);
    long[] histogram = new long[1 << p.classBits()];
    for (int i = 0; i < histogram.length; i++) {
      histogram[i] = b.getLong(HISTOGRAM_OFFSET + i * Long.BYTES);
    }
    if (entries < 0 || entries > HibpSetFormat.BASE_MASK) {
      throw new CorruptSetException("invalid entry count " + entries);
    }
    HibpSetHeader h = new HibpSetHeader(p, entries, Instant.ofEpochMilli(b.getLong(48)),
        b.getLong(56), b.getLong(64), b.getLong(72), b.getLong(80), b.getInt(88), b.getInt(92), b.getInt(96),
        b.getLong(OVERFLOW_BLOCKS_OFFSET), histogram);
    long overflowBytes = h.fileLength - h.overflowOffset;
    HibpSetHeader expected = layout(p, entries, h.buildTime, overflowBytes, 0, 0, 0, 0, histogram);
    if (h.blocksOffset != expected.blocksOffset || h.recordsOffset != expected.recordsOffset
        || h.overflowOffset != expected.overflowOffset || overflowBytes < 0 || overflowBytes % Long.BYTES != 0
        || (overflowBytes == 0) != (h.overflowBlocks == 0)) {
      throw new CorruptSetException("section offsets do not match the parameters");
    }
    if (h.fileLength != actualFileLength) {
      throw new CorruptSetException("file is " + actualFileLength + " bytes, header says " + h.fileLength
          + " (truncated or appended to)");
    }
    return h;
  }

  private static int crc(ByteBuffer b) {
    CRC32C crc = new CRC32C();
    crc.update(b.duplicate().position(0).limit(CRC_OFFSET));
    return (int) crc.getValue();
  }

  static int histogramSlots() {
    return HISTOGRAM_SLOTS;
  }
}
