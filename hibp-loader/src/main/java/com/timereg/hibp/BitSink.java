package com.timereg.hibp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/** Appends bits LSB-first as little-endian 64-bit words to a region of a file, with a running CRC32C. */
final class BitSink {
  private static final int BUFFER_WORDS = 1 << 17;

  private final FileChannel channel;
  // Words collect in a plain array (cheaper per word than a ByteBuffer) and are copied out in bulk.
  private final long[] words = new long[BUFFER_WORDS];
  private final ByteBuffer bytes = ByteBuffer.allocateDirect(BUFFER_WORDS * Long.BYTES)
      .order(ByteOrder.LITTLE_ENDIAN);
  private final CRC32C crc = new CRC32C();
  private int count;
  private long position;
  private long bytesWritten;
  private long acc;
  private int accBits;

  BitSink(FileChannel channel, long position) {
    this.channel = channel;
    this.position = position;
  }

  /** Appends the low {@code n} bits of {@code value} (1 to 63 bits; higher bits must be zero). */
  void write(long value, int n) throws IOException {
    acc |= value << accBits;
    int total = accBits + n;
    if (total < 64) {
      accBits = total;
      return;
    }
    putWord(acc);
    int used = 64 - accBits;
    acc = used == 64 ? 0 : value >>> used;
    accBits = total - 64;
  }

  /** Appends {@code n} bits of {@code src} from bit {@code from} (see {@link Bits#read}), a word at a time. */
  void writeBits(long[] src, long from, long n) throws IOException {
    long end = from + n;
    if (accBits == 0) {
      for (; end - from >= 64; from += 64) {
        putWord(Bits.read(src, from, 64));
      }
    } else {
      // 64 bits in, the accumulator's accBits out as the low bits of a whole word: accBits stays the same.
      int keep = 64 - accBits;
      for (; end - from >= 64; from += 64) {
        long v = Bits.read(src, from, 64);
        putWord(acc | v << accBits);
        acc = v >>> keep;
      }
    }
    if (end > from) {
      int k = (int) (end - from);
      write(Bits.read(src, from, k), k);
    }
  }

  void writeOnes(long count) throws IOException {
    while (count > 0) {
      int k = (int) Math.min(count, 63);
      write((1L << k) - 1, k);
      count -= k;
    }
  }

  void writeLong(long value) throws IOException {
    if (accBits != 0) {
      throw new IllegalStateException("unaligned long");
    }
    putWord(value);
  }

  /** Pads with zero bits to a whole word, appends {@code extraZeroWords} zero words and writes everything out. */
  void finish(int extraZeroWords) throws IOException {
    if (accBits > 0) {
      putWord(acc);
      acc = 0;
      accBits = 0;
    }
    for (int i = 0; i < extraZeroWords; i++) {
      putWord(0);
    }
    drain();
  }

  long bytesWritten() {
    return bytesWritten;
  }

  /** Whole words appended so far, written out or still buffered. */
  long wordsWritten() {
    return bytesWritten / Long.BYTES + count;
  }

  int crc() {
    return (int) crc.getValue();
  }

  private void putWord(long word) throws IOException {
    words[count++] = word;
    if (count == BUFFER_WORDS) {
      drain();
    }
  }

  private void drain() throws IOException {
    bytes.clear();
    bytes.asLongBuffer().put(words, 0, count);
    bytes.limit(count * Long.BYTES);
    bytesWritten += bytes.limit();
    count = 0;
    crc.update(bytes.duplicate());
    while (bytes.hasRemaining()) {
      position += channel.write(bytes, position);
    }
  }
}
