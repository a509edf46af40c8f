package com.timereg.hibp;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/** Reads a file region written by {@link BitSink}: bits LSB-first, with a running CRC32C of what was read. */
final class BitSource {
  private static final int BUFFER_BYTES = 1 << 20;

  private final FileChannel channel;
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
  private final CRC32C crc = new CRC32C();
  private long position;
  private long remaining;
  private long word;
  private int wordBits;

  BitSource(FileChannel channel, long position, long length) {
    this.channel = channel;
    this.position = position;
    this.remaining = length;
    buffer.limit(0);
  }

  long read(int n) throws IOException {
    if (wordBits >= n) {
      long v = n == 64 ? word : word & ((1L << n) - 1);
      word = n == 64 ? 0 : word >>> n;
      wordBits -= n;
      return v;
    }
    long low = word;
    int have = wordBits;
    word = nextWord();
    wordBits = 64;
    long high = read(n - have);
    return low | (high << have);
  }

  boolean readBit() throws IOException {
    return read(1) != 0;
  }

  /** Whether every bit not yet read is zero; reads to the end of the region (so the CRC covers it all). */
  boolean restIsZero() throws IOException {
    boolean zero = word == 0;
    wordBits = 0;
    word = 0;
    while (remaining > 0 || buffer.hasRemaining()) {
      zero &= nextWord() == 0;
    }
    return zero;
  }

  int crc() {
    return (int) crc.getValue();
  }

  long nextWord() throws IOException {
    if (!buffer.hasRemaining()) {
      fill();
    }
    return buffer.getLong();
  }

  private void fill() throws IOException {
    if (remaining <= 0) {
      throw new EOFException("section ends early");
    }
    buffer.clear().limit((int) Math.min(BUFFER_BYTES, remaining));
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position);
      if (n < 0) {
        throw new EOFException("file ends early");
      }
      position += n;
    }
    buffer.flip();
    remaining -= buffer.remaining();
    crc.update(buffer.duplicate());
  }
}
