package com.timereg.hibp.input;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongConsumer;

/**
 * Parses {@code HEX:COUNT} lines (LF or CRLF, final line end optional, hex in either case) from files whose
 * names may carry the first hex digits of every hash, and checks that hashes strictly ascend across all the
 * files it reads. Memory is one fixed buffer whatever the input size.
 */
final class HashLineReader {
  private static final int BUFFER_BYTES = 1 << 22;
  /** Longer than any valid line (40 hex, ':', 18 digits, CRLF), so a buffer holding this much holds a line. */
  private static final int MAX_LINE = 128;
  private static final int MAX_COUNT_DIGITS = 18;
  private static final long HIGH_BITS = 0x8080808080808080L;

  private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
  private final EntrySink sink;
  private final LongConsumer progress;
  private long prevHi;
  private long prevLo;
  private long prevTail = -1;

  HashLineReader(EntrySink sink, LongConsumer progress) {
    this.sink = sink;
    this.progress = progress;
  }

  /**
   * Reads one file whose lines hold the hash without its first {@code prefixDigits} hex digits, which are
   * {@code prefix}.
   */
  void read(Path file, int prefixDigits, long prefix) throws IOException {
    int hashChars = 40 - prefixDigits;
    int shift = 4 * prefixDigits;
    long prefixBits = prefixDigits == 0 ? 0 : prefix << (32 - shift);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      buf.clear();
      int pos = 0;
      int limit = 0;
      long line = 1;
      boolean eof = false;
      while (true) {
        if (!eof && limit - pos < MAX_LINE) {
          buf.limit(limit).position(pos);
          buf.compact();
          eof = fill(ch);
          pos = 0;
          limit = buf.position();
        }
        if (pos >= limit) {
          return;
        }
        int safe = eof ? limit : limit - MAX_LINE;
        while (pos < limit && pos <= safe) {
          int end = pos + hashChars;
          long raw0 = end + 1 <= limit ? Hex.parse8(buf.getLong(pos)) : -1;
          long g1 = end + 1 <= limit ? Hex.parse8(buf.getLong(end - 32)) : -1;
          long g2 = end + 1 <= limit ? Hex.parse8(buf.getLong(end - 24)) : -1;
          long g3 = end + 1 <= limit ? Hex.parse8(buf.getLong(end - 16)) : -1;
          long g4 = end + 1 <= limit ? Hex.parse8(buf.getLong(end - 8)) : -1;
          if ((raw0 | g1 | g2 | g3 | g4) < 0 || buf.get(end) != ':') {
            throw malformed(file, line, pos, limit, hashChars);
          }
          long count;
          int j = end + 1;
          long chars = j + Long.BYTES <= limit ? buf.getLong(j) : -1;
          int digits = Long.numberOfTrailingZeros(~Hex.digitMask(chars) & HIGH_BITS) >>> 3;
          if (chars < 0 || (chars & HIGH_BITS) != 0 || digits == 0 || digits == 8) {
            // Rare: a count of 8 or more digits, a line at the very end of the input, or an error.
            count = 0;
            int digitsEnd = Math.min(limit, j + MAX_COUNT_DIGITS + 1);
            while (j < digitsEnd) {
              int d = buf.get(j) - '0';
              if (d < 0 || d > 9) {
                break;
              }
              count = count * 10 + d;
              j++;
            }
            if (j == end + 1 || j - end - 1 > MAX_COUNT_DIGITS) {
              throw malformed(file, line, pos, limit, hashChars);
            }
          } else {
            count = Hex.parseDigits(chars, digits);
            j += digits;
          }
          if (count == 0) {
            throw malformed(file, line, pos, limit, hashChars);
          }
          if (j < limit) {
            byte b = buf.get(j);
            if (b == '\r' && j + 1 < limit && buf.get(j + 1) == '\n') {
              j += 2;
            } else if (b == '\n' || (b == '\r' && j + 1 == limit)) {
              j += 1;
            } else {
              throw malformed(file, line, pos, limit, hashChars);
            }
          }
          long hi = (prefixBits | (raw0 >>> shift)) << 32 | g1;
          long lo = g2 << 32 | g3;
          checkOrder(file, line, hi, lo, g4);
          sink.accept(hi, lo, count);
          pos = j;
          line++;
        }
      }
    }
  }

  private boolean fill(FileChannel ch) throws IOException {
    long before = buf.position();
    while (buf.hasRemaining()) {
      if (ch.read(buf) < 0) {
        progress.accept(buf.position() - before);
        return true;
      }
    }
    progress.accept(buf.position() - before);
    return false;
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

  private InputFormatException malformed(Path file, long line, int from, int limit, int hashChars) {
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
