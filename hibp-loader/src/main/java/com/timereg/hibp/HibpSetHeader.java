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
 *  40 block shift (int)     44 reserved (int)        48 build time, epoch ms
 *  56 samples offset        64 data offset           72 bitmap offset           80 file length
 *  88 samples CRC32C (int)  92 data CRC32C (int)     96 bitmap CRC32C (int)    100 reserved (int)
 * 104 class histogram: 16 longs (entries per prevalence class)
 * 232 reserved, zero        252 CRC32C of bytes 0..251 (int)
 * </pre>
 */
public record HibpSetHeader(
    HibpSetParameters parameters,
    long entryCount,
    Instant buildTime,
    long samplesOffset,
    long dataOffset,
    long bitmapOffset,
    long fileLength,
    int samplesCrc,
    int dataCrc,
    int bitmapCrc,
    long[] classHistogram) {

  private static final int HISTOGRAM_OFFSET = 104;
  private static final int HISTOGRAM_SLOTS = 1 << HibpSetFormat.MAX_CLASS_BITS;
  private static final int CRC_OFFSET = HibpSetFormat.HEADER_SIZE - Integer.BYTES;

  public HibpSetHeader {
    classHistogram = classHistogram.clone();
  }

  /** The header of a set of {@code entries} entries with the standard layout of sections. */
  static HibpSetHeader layout(HibpSetParameters p, long entries, Instant buildTime,
                              int samplesCrc, int dataCrc, int bitmapCrc, long[] histogram) {
    long samples = HibpSetFormat.HEADER_SIZE;
    long data = samples + HibpSetFormat.samplesLength(p.bucketCount());
    long bitmap = data + HibpSetFormat.dataLength(entries, p.entryBits());
    long end = bitmap + HibpSetFormat.bitmapLength(entries, p.bucketCount());
    return new HibpSetHeader(p, entries, buildTime, samples, data, bitmap, end,
        samplesCrc, dataCrc, bitmapCrc, histogram);
  }

  @Override
  public long[] classHistogram() {
    return classHistogram.clone();
  }

  // Records compare arrays by reference; a header is a value, histogram included.
  @Override
  public boolean equals(Object o) {
    return o instanceof HibpSetHeader h && parameters.equals(h.parameters) && entryCount == h.entryCount
        && buildTime.equals(h.buildTime) && samplesOffset == h.samplesOffset && dataOffset == h.dataOffset
        && bitmapOffset == h.bitmapOffset && fileLength == h.fileLength && samplesCrc == h.samplesCrc
        && dataCrc == h.dataCrc && bitmapCrc == h.bitmapCrc && Arrays.equals(classHistogram, h.classHistogram);
  }

  @Override
  public int hashCode() {
    return Objects.hash(parameters, entryCount, buildTime, fileLength, samplesCrc, dataCrc, bitmapCrc);
  }

  @Override
  public String toString() {
    return "HibpSetHeader[" + parameters + ", entries=" + entryCount + ", built=" + buildTime + ", length="
        + fileLength + ", histogram=" + Arrays.toString(classHistogram) + "]";
  }

  public double falsePositiveRate() {
    return parameters.falsePositiveRate(entryCount);
  }

  ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate(HibpSetFormat.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(0, HibpSetFormat.MAGIC).putInt(8, HibpSetFormat.VERSION).putInt(12, HibpSetFormat.HEADER_SIZE)
        .putLong(16, entryCount).putLong(24, parameters.bucketCount())
        .putInt(32, parameters.fingerprintBits()).putInt(36, parameters.classBits())
        .putInt(40, HibpSetFormat.BLOCK_SHIFT).putLong(48, buildTime.toEpochMilli())
        .putLong(56, samplesOffset).putLong(64, dataOffset).putLong(72, bitmapOffset).putLong(80, fileLength)
        .putInt(88, samplesCrc).putInt(92, dataCrc).putInt(96, bitmapCrc);
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
    if (b.getInt(8) != HibpSetFormat.VERSION) {
      throw new CorruptSetException("unsupported set version " + b.getInt(8) + " (this reader knows "
          + HibpSetFormat.VERSION + ")");
    }
    if (b.getInt(12) != HibpSetFormat.HEADER_SIZE || b.getInt(CRC_OFFSET) != crc(b)) {
      throw new CorruptSetException("header checksum mismatch");
    }
    if (b.getInt(40) != HibpSetFormat.BLOCK_SHIFT) {
      throw new CorruptSetException("unsupported block shift " + b.getInt(40));
    }
    HibpSetParameters p;
    try {
      p = new HibpSetParameters(b.getLong(24), b.getInt(32), b.getInt(36));
    } catch (IllegalArgumentException e) {
      throw new CorruptSetException("invalid parameters: " + e.getMessage());
    }
    long entries = b.getLong(16);
    long[] histogram = new long[1 << p.classBits()];
    for (int i = 0; i < histogram.length; i++) {
      histogram[i] = b.getLong(HISTOGRAM_OFFSET + i * Long.BYTES);
    }
    if (entries < 0 || entries > Long.MAX_VALUE / HibpSetFormat.MAX_ENTRY_BITS) {
      throw new CorruptSetException("invalid entry count " + entries);
    }
    HibpSetHeader h = new HibpSetHeader(p, entries, Instant.ofEpochMilli(b.getLong(48)),
        b.getLong(56), b.getLong(64), b.getLong(72), b.getLong(80), b.getInt(88), b.getInt(92), b.getInt(96),
        histogram);
    HibpSetHeader expected = layout(p, entries, h.buildTime, 0, 0, 0, histogram);
    if (h.samplesOffset != expected.samplesOffset || h.dataOffset != expected.dataOffset
        || h.bitmapOffset != expected.bitmapOffset || h.fileLength != expected.fileLength) {
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
