package com.timereg.hibp.input;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.IntFunction;
import java.util.function.LongConsumer;

/**
 * Parses {@code HEX:COUNT} lines (LF or CRLF, final line end optional, hex in either case) from a sequence
 * of files whose names may carry the first hex digits of every hash, and checks that hashes strictly ascend
 * across all of them. Memory is a few fixed buffers whatever the input size.
 */
final class HashLineReader {
  /** Longer than any valid line (40 hex, ':', 18 digits, CRLF), so this much buffered holds a whole line. */
  private static final int MAX_LINE = 128;
  private static final int MAX_COUNT_DIGITS = 18;
  private static final long HIGH_BITS = 0x8080808080808080L;

  private final EntrySink sink;
  private final LongConsumer progress;
  private final int prefixDigits;
  private final int hashChars;
  private final int shift;
  private final byte[] carry = new byte[MAX_LINE];
  /** Lines parsed by the last {@link #parse} call. */
  private long lines;
  private long prevHi;
  private long prevLo;
  private long prevTail = -1;

  /** @param prefixDigits hex digits of every hash that a file's name holds rather than its lines (0 to 5) */
  HashLineReader(EntrySink sink, LongConsumer progress, int prefixDigits) {
    this.sink = sink;
    this.progress = progress;
    this.prefixDigits = prefixDigits;
    this.hashChars = 40 - prefixDigits;
    this.shift = 4 * prefixDigits;
  }

  /** Reads {@code count} files in order; file {@code i} holds the hashes that start with hex digits i. */
  void read(IntFunction<Path> files, int count) throws IOException {
    try (ReadAhead input = new ReadAhead(files, count)) {
      int file = -1;
      long line = 0;
      int carried = 0;
      for (ReadAhead.Chunk c = input.next(); c != null; c = input.next()) {
        ByteBuffer buf = c.buf;
        for (int s = 0; s < c.segments; s++) {
          int pos = c.start[s];
          if (c.file[s] != file) {
            file = c.file[s];
            line = 1;
          } else if (carried > 0) {
            // The unfinished line from the previous buffer goes into this buffer's headroom.
            pos -= carried;
            buf.put(pos, carry, 0, carried);
            carried = 0;
          }
          Path path = files.apply(file);
          long prefixBits = prefixDigits == 0 ? 0 : (long) file << (32 - shift);
          int end = parse(path, buf, pos, c.end[s], c.fileEnd[s], line, prefixBits);
          line += lines;
          if (!c.fileEnd[s]) {
            carried = c.end[s] - end;
            buf.get(end, carry, 0, carried);
          }
        }
        progress.accept(c.bytes);
        input.release(c);
      }
    }
  }

  /**
   * Parses whole lines of one file from {@code pos}; when the file goes on past {@code limit}, stops short
   * of the last {@link #MAX_LINE} bytes, which may hold an unfinished line. Returns where it stopped and
   * leaves the number of lines parsed in {@link #lines}.
   */
  private int parse(Path file, ByteBuffer buf, int pos, int limit, boolean fileEnd, long firstLine,
                    long prefixBits) throws IOException {
    int safe = fileEnd ? limit : limit - MAX_LINE;
    long line = firstLine;
    while (pos < limit && pos <= safe) {
      int end = pos + hashChars;
      boolean fits = end + 1 <= limit;
      long raw0 = fits ? Hex.parse8(buf.getLong(pos)) : -1;
      long g1 = fits ? Hex.parse8(buf.getLong(end - 32)) : -1;
      long g2 = fits ? Hex.parse8(buf.getLong(end - 24)) : -1;
      long g3 = fits ? Hex.parse8(buf.getLong(end - 16)) : -1;
      long g4 = fits ? Hex.parse8(buf.getLong(end - 8)) : -1;
      if ((raw0 | g1 | g2 | g3 | g4) < 0 || buf.get(end) != ':') {
        throw malformed(file, line, buf, pos, limit);
      }
      int j = end + 1;
      long count;
      long chars = j + Long.BYTES <= limit ? buf.getLong(j) : -1;
      int digits = Long.numberOfTrailingZeros(~Hex.digitMask(chars) & HIGH_BITS) >>> 3;
      if ((chars & HIGH_BITS) == 0 && digits > 0 && digits < 8) {
        count = Hex.parseDigits(chars, digits);
        j += digits;
      } else {
        // Rare: a count of 8 or more digits, a line at the very end of the input, or an error.
        count = 0;
        int digitsEnd = Math.min(limit, j + MAX_COUNT_DIGITS + 1);
        while (j < digitsEnd && buf.get(j) >= '0' && buf.get(j) <= '9') {
          count = count * 10 + buf.get(j++) - '0';
        }
        if (j == end + 1 || j - end - 1 > MAX_COUNT_DIGITS) {
          throw malformed(file, line, buf, pos, limit);
        }
      }
      if (count == 0) {
        throw malformed(file, line, buf, pos, limit);
      }
      if (j < limit) {
        byte b = buf.get(j);
        if (b == '\r' && j + 1 < limit && buf.get(j + 1) == '\n') {
          j += 2;
        } else if (b == '\n' || (b == '\r' && j + 1 == limit)) {
          j += 1;
        } else {
          throw malformed(file, line, buf, pos, limit);
        }
      }
      long hi = (prefixBits | (raw0 >>> shift)) << 32 | g1;
      long lo = g2 << 32 | g3;
      checkOrder(file, line, hi, lo, g4);
      sink.accept(hi, lo, count);
      pos = j;
      line++;
    }
    lines = line - firstLine;
    return pos;
  }

  private void checkOrder(Path file, long line, long hi, long lo, long tail) throws InputFormatException {
    int c = Long.compareUnsigned(hi, prevHi);
    if (c == 0) {
      c = Long.compareUnsigned(lo, prevLo);
      if (c == 0) {
        c = Long.compare(tail, prevTail);
      }
    }
    if (c <= 0) {
      String hash = Hex.format(hi, lo, tail);
      throw new InputFormatException(file, line, c == 0 ? "duplicate hash " + hash
          : "unsorted: hash " + hash + " comes after " + Hex.format(prevHi, prevLo, prevTail));
    }
    prevHi = hi;
    prevLo = lo;
    prevTail = tail;
  }

  private InputFormatException malformed(Path file, long line, ByteBuffer buf, int from, int limit) {
    StringBuilder text = new StringBuilder();
    int i = from;
    while (i < limit && buf.get(i) != '\n') {
      text.append((char) (buf.get(i++) & 0xFF));
    }
    if (text.length() > 0 && text.charAt(text.length() - 1) == '\r') {
      text.setLength(text.length() - 1);
    }
    return new InputFormatException(file, line, LineDiagnosis.describe(text.toString(), hashChars));
  }
}
