package com.timereg.hibp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A read-only file mapped as 1 GiB chunks (a ByteBuffer indexes with int). Chunks overlap by 8 bytes so that
 * any 8-byte load lies inside one chunk. Mappings are released by the garbage collector once unreachable:
 * unmapping by hand would crash a lookup still running on another thread. Chunks start at multiples of 1 GiB,
 * so each is aligned for 2 MiB pages.
 */
final class MappedFile {
  private static final int CHUNK_SHIFT = 30;
  private static final long CHUNK_MASK = (1L << CHUNK_SHIFT) - 1;

  private final ByteBuffer[] chunks;
  private final long length;

  MappedFile(FileChannel channel, HibpSet.Mapping mapping) throws IOException {
    this.length = channel.size();
    int count = (int) ((length + CHUNK_MASK) >>> CHUNK_SHIFT);
    chunks = new ByteBuffer[Math.max(1, count)];
    for (int i = 0; i < chunks.length; i++) {
      long start = (long) i << CHUNK_SHIFT;
      long size = Math.min(CHUNK_MASK + 1 + Long.BYTES, length - start);
      chunks[i] = channel.map(FileChannel.MapMode.READ_ONLY, start, Math.max(0, size))
          .order(ByteOrder.LITTLE_ENDIAN);
      PageAdvice.hugePages(chunks[i], mapping.hugePages());
      if (mapping.preload()) {
        preload(chunks[i]);
      }
    }
  }

  private static void preload(ByteBuffer chunk) {
    if (!PageAdvice.populate(chunk)) {
      // Kernels before 5.14 (no MADV_POPULATE_READ): the JDK touches every page instead, more slowly.
      ((MappedByteBuffer) chunk).load();
    }
  }

  /** Bytes of this mapping that the kernel maps in 2 MiB pages (see {@link PageAdvice#hugePageBytes}). */
  long hugePageBytes() {
    return PageAdvice.hugePageBytes(chunks);
  }

  long length() {
    return length;
  }

  /** The little-endian long at {@code offset}; {@code offset + 8} must not exceed the length. */
  long getLong(long offset) {
    return chunks[(int) (offset >>> CHUNK_SHIFT)].getLong((int) (offset & CHUNK_MASK));
  }

  ByteBuffer slice(long offset, int size) {
    ByteBuffer chunk = chunks[(int) (offset >>> CHUNK_SHIFT)];
    int at = (int) (offset & CHUNK_MASK);
    return chunk.duplicate().position(at).limit(at + size).slice().order(ByteOrder.LITTLE_ENDIAN);
  }
}
