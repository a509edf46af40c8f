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
 *  40 page bytes (int)      44 group shift (int)     48 build time, epoch ms
 *  56 page count            64 table offset          72 overflow offset         80 file length
 *  88 pages CRC32C (int)    92 table CRC32C (int)    96 overflow CRC32C (int)  100 reserved (int)
 * 104 class histogram: 16 longs (entries per prevalence class)
 * 232 overflow pages        240 reserved, zero       252 CRC32C of bytes 0..251 (int)
 * </pre>
 *
 * The pages start at {@value HibpSetFormat#PAGE_BYTES}; the header's page is zero after the header.
 */
public record HibpSetHeader(
    HibpSetParameters parameters,
    long entryCount,
    Instant buildTime,
    long pageCount,
    long tableOffset,
    long overflowOffset,
    long fileLength,
    int pagesCrc,
    int tableCrc,
    int overflowCrc,
    long overflowPages,
    long[] classHistogram) {

  private static final int HISTOGRAM_OFFSET = 104;
  private static final int HISTOGRAM_SLOTS = 1 << HibpSetFormat.MAX_CLASS_BITS;
  private static final int OVERFLOW_PAGES_OFFSET = 232;
  private static final int CRC_OFFSET = HibpSetFormat.HEADER_SIZE - Integer.BYTES;

  public HibpSetHeader {
    classHistogram = classHistogram.clone();
  }

  /** The header of a set of {@code pages} pages whose overflow section has {@code overflowBytes}. */
  static HibpSetHeader layout(HibpSetParameters p, long entries, Instant buildTime, long pages,
                              long overflowBytes, int pagesCrc, int tableCrc, int overflowCrc,
                              long overflowPages, long[] histogram) {
    long table = HibpSetFormat.tableOffset(pages);
    long overflow = table + HibpSetFormat.tableLength(pages, p.bucketCount());
    return new HibpSetHeader(p, entries, buildTime, pages, table, overflow, overflow + overflowBytes,
        pagesCrc, tableCrc, overflowCrc, overflowPages, histogram);
  }

  public long pagesOffset() {
    return HibpSetFormat.pagesOffset();
  }

  @Override
  public long[] classHistogram() {
    return classHistogram.clone();
  }

  // Records compare arrays by reference; a header is a value, histogram included.
  @Override
  public boolean equals(Object o) {
    return o instanceof HibpSetHeader h && parameters.equals(h.parameters) && entryCount == h.entryCount
        && buildTime.equals(h.buildTime) && pageCount == h.pageCount
        && tableOffset == h.tableOffset && overflowOffset == h.overflowOffset && fileLength == h.fileLength
        && pagesCrc == h.pagesCrc && tableCrc == h.tableCrc && overflowCrc == h.overflowCrc
        && overflowPages == h.overflowPages && Arrays.equals(classHistogram, h.classHistogram);
  }

  @Override
  public int hashCode() {
    return Objects.hash(parameters, entryCount, buildTime, fileLength, pagesCrc, tableCrc, overflowCrc);
  }

  @Override
  public String toString() {
    return "HibpSetHeader[" + parameters + ", entries=" + entryCount + ", built=" + buildTime + ", pages="
        + pageCount + ", length=" + fileLength + ", overflowPages=" + overflowPages
        + ", histogram=" + Arrays.toString(classHistogram) + "]";
  }

  public double falsePositiveRate() {
    return parameters.falsePositiveRate(entryCount);
  }

  ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate(HibpSetFormat.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(0, HibpSetFormat.MAGIC).putInt(8, HibpSetFormat.VERSION).putInt(12, HibpSetFormat.HEADER_SIZE)
        .putLong(16, entryCount).putLong(24, parameters.bucketCount())
        .putInt(32, parameters.fingerprintBits()).putInt(36, parameters.classBits())
        .putInt(40, HibpSetFormat.PAGE_BYTES).putInt(44, HibpSetFormat.GROUP_SHIFT)
        .putLong(48, buildTime.toEpochMilli())
        .putLong(56, pageCount).putLong(64, tableOffset).putLong(72, overflowOffset).putLong(80, fileLength)
        .putInt(88, pagesCrc).putInt(92, tableCrc).putInt(96, overflowCrc)
        .putLong(OVERFLOW_PAGES_OFFSET, overflowPages);
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
    if (version == 1 || version == 2) {
      // Older layouts needed more dependent memory reads per lookup; rather than keep several readers, ask
      // for a rebuild, which takes minutes from the same download.
      throw new CorruptSetException("set file has format version " + version + ", which this version no "
          + "longer reads: rebuild it with 'hibp-loader build <download> -o <set>'");
    }
    if (version != HibpSetFormat.VERSION) {
      throw new CorruptSetException("unsupported set version " + version + " (this reader knows "
          + HibpSetFormat.VERSION + ")");
    }
    if (b.getInt(12) != HibpSetFormat.HEADER_SIZE || b.getInt(CRC_OFFSET) != crc(b)) {
      throw new CorruptSetException("header checksum mismatch");
    }
    if (b.getInt(40) != HibpSetFormat.PAGE_BYTES || b.getInt(44) != HibpSetFormat.GROUP_SHIFT) {
      throw new CorruptSetException("unsupported page size " + b.getInt(40) + " or group shift " + b.getInt(44));
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
    if (entries < 0 || entries > HibpSetFormat.COUNT_MASK) {
      throw new CorruptSetException("invalid entry count " + entries);
    }
    long pages = b.getLong(56);
    // Every page holds at least one bucket, and the file must at least hold the pages.
    if (pages < 1 || pages > p.bucketCount() || pages > actualFileLength / HibpSetFormat.PAGE_BYTES) {
      throw new CorruptSetException("invalid page count " + pages);
    }
    HibpSetHeader h = new HibpSetHeader(p, entries, Instant.ofEpochMilli(b.getLong(48)), pages,
        b.getLong(64), b.getLong(72), b.getLong(80), b.getInt(88), b.getInt(92), b.getInt(96),
        b.getLong(OVERFLOW_PAGES_OFFSET), histogram);
    long overflowBytes = h.fileLength - h.overflowOffset;
    HibpSetHeader expected = layout(p, entries, h.buildTime, pages, overflowBytes, 0, 0, 0, 0, histogram);
    if (h.tableOffset != expected.tableOffset || h.overflowOffset != expected.overflowOffset
        || overflowBytes < 0 || overflowBytes % Long.BYTES != 0
        || h.overflowPages < 0 || h.overflowPages > pages || (overflowBytes == 0) != (h.overflowPages == 0)) {
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
