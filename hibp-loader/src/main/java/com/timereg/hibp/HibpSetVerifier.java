package com.timereg.hibp;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads a whole set once, sequentially, and checks it against its header: the three section checksums,
 * one terminator per bucket and one record per entry, samples that agree with the bitmap, fingerprints
 * strictly ascending within each bucket, the class histogram and zero padding.
 */
final class HibpSetVerifier {
  private HibpSetVerifier() {}

  static void verify(Path path, HibpSetHeader h) throws IOException {
    HibpSetParameters p = h.parameters();
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      BitSource samples = new BitSource(ch, h.samplesOffset(), h.dataOffset() - h.samplesOffset());
      BitSource data = new BitSource(ch, h.dataOffset(), h.bitmapOffset() - h.dataOffset());
      BitSource bitmap = new BitSource(ch, h.bitmapOffset(), h.fileLength() - h.bitmapOffset());
      long[] histogram = new long[h.classHistogram().length];
      long entries = 0;
      try {
        for (long bucket = 0; bucket < p.bucketCount(); bucket++) {
          if ((bucket & ((1 << HibpSetFormat.BLOCK_SHIFT) - 1)) == 0 && samples.read(64) != entries) {
            throw new CorruptSetException("sample of block " + (bucket >>> HibpSetFormat.BLOCK_SHIFT)
                + " disagrees with the bucket bitmap");
          }
          long previous = -1;
          while (!bitmap.readBit()) {
            if (++entries > h.entryCount()) {
              throw new CorruptSetException("bitmap holds more entries than the header's " + h.entryCount());
            }
            long rec = data.read(p.entryBits());
            long fp = rec >>> p.classBits();
            if (fp <= previous) {
              throw new CorruptSetException("fingerprints out of order in bucket " + bucket);
            }
            previous = fp;
            histogram[(int) (rec & ((1 << p.classBits()) - 1))]++;
          }
        }
      } catch (EOFException e) {
        throw new CorruptSetException("bucket bitmap is truncated");
      }
      if (entries != h.entryCount()) {
        throw new CorruptSetException("bitmap holds " + entries + " entries, header says " + h.entryCount());
      }
      if (!Arrays.equals(histogram, h.classHistogram())) {
        throw new CorruptSetException("class histogram disagrees with the records");
      }
      checkRest("samples", samples, h.samplesCrc());
      checkRest("records", data, h.dataCrc());
      checkRest("bitmap", bitmap, h.bitmapCrc());
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
