package com.timereg.hibp.input;

import java.nio.ByteBuffer;

/**
 * Whole lines of one file, a slice of a read buffer, parsed on a worker thread into the buffer's output
 * arrays. Checks every line and the order of the hashes within the slice; the reader checks the order
 * across slices and turns the slice's line numbers into the file's. Stops at the first bad line and keeps
 * its description for the reader, which reports it only if no earlier slice failed.
 */
final class ParseTask implements Runnable {
  /** Longer than any valid line (40 hex, ':', 18 digits, CRLF). */
  static final int MAX_LINE = 128;
  private static final int MAX_COUNT_DIGITS = 18;
  private static final long HIGH_BITS = 0x8080808080808080L;

  final ReadAhead.Chunk chunk;
  final int file;
  private final int from;
  private final int to;
  private final long prefixBits;
  private final int hashChars;
  private final int shift;
  /** Where this slice's entries start in the chunk's output arrays. */
  final int out;
  int entries;
  /** Lines parsed, and the 1-based line within the slice of the problem when {@link #problem} is set. */
  long lines;
  String problem;
  long firstHi;
  long firstLo;
  long firstTail = -1;
  long lastHi;
  long lastLo;
  long lastTail = -1;

  ParseTask(ReadAhead.Chunk chunk, int file, int from, int to, long prefixBits, int prefixDigits, int out) {
    this.chunk = chunk;
    this.file = file;
    this.from = from;
    this.to = to;
    this.prefixBits = prefixBits;
    this.hashChars = 40 - prefixDigits;
    this.shift = 4 * prefixDigits;
    this.out = out;
  }

  /** The most entries a slice of {@code bytes} can hold: every line is at least the hash, ':' and a digit. */
  static int maxEntries(int bytes, int prefixDigits) {
    return bytes / (40 - prefixDigits + 2) + 1;
  }

  @Override
  public void run() {
    ByteBuffer buf = chunk.buf;
    long[] his = chunk.hi;
    long[] los = chunk.lo;
    long[] counts = chunk.count;
    int limit = to;
    int pos = from;
    int n = out;
    long prevHi = 0;
    long prevLo = 0;
    long prevTail = -1;
    long line = 0;
    while (pos < limit) {
      line++;
      int end = pos + hashChars;
      boolean fits = end + 1 <= limit;
      long raw0 = fits ? Hex.parse8(buf.getLong(pos)) : -1;
      long g1 = fits ? Hex.parse8(buf.getLong(end - 32)) : -1;
      long g2 = fits ? Hex.parse8(buf.getLong(end - 24)) : -1;
      long g3 = fits ? Hex.parse8(buf.getLong(end - 16)) : -1;
      long g4 = fits ? Hex.parse8(buf.getLong(end - 8)) : -1;
      if ((raw0 | g1 | g2 | g3 | g4) < 0 || buf.get(end) != ':') {
        fail(line, malformed(buf, pos, limit));
        return;
      }
      int j = end + 1;
      long count;
      long chars = j + Long.BYTES <= limit ? buf.getLong(j) : -1;
      int digits = Long.numberOfTrailingZeros(~Hex.digitMask(chars) & HIGH_BITS) >>> 3;
      if ((chars & HIGH_BITS) == 0 && digits > 0 && digits < 8) {
        count = Hex.parseDigits(chars, digits);
        j += digits;
      } else {
        // Rare: a count of 8 or more digits, a line at the very end of the slice, or an error.
        count = 0;
        int digitsEnd = Math.min(limit, j + MAX_COUNT_DIGITS + 1);
        while (j < digitsEnd && buf.get(j) >= '0' && buf.get(j) <= '9') {
          count = count * 10 + buf.get(j++) - '0';
        }
        if (j == end + 1 || j - end - 1 > MAX_COUNT_DIGITS) {
          fail(line, malformed(buf, pos, limit));
          return;
        }
      }
      if (count == 0) {
        fail(line, malformed(buf, pos, limit));
        return;
      }
      if (j < limit) {
        byte b = buf.get(j);
        if (b == '\r' && j + 1 < limit && buf.get(j + 1) == '\n') {
          j += 2;
        } else if (b == '\n' || (b == '\r' && j + 1 == limit)) {
          j += 1;
        } else {
          fail(line, malformed(buf, pos, limit));
          return;
        }
      }
      long hi = (prefixBits | (raw0 >>> shift)) << 32 | g1;
      long lo = g2 << 32 | g3;
      if (line == 1) {
        firstHi = hi;
        firstLo = lo;
        firstTail = g4;
      } else {
        int c = compare(hi, lo, g4, prevHi, prevLo, prevTail);
        if (c <= 0) {
          fail(line, orderProblem(c, hi, lo, g4, prevHi, prevLo, prevTail));
          return;
        }
      }
      his[n] = hi;
      los[n] = lo;
      counts[n] = count;
      n++;
      prevHi = hi;
      prevLo = lo;
      prevTail = g4;
      pos = j;
    }
    lines = line;
    entries = n - out;
    lastHi = prevHi;
    lastLo = prevLo;
    lastTail = prevTail;
  }

  static int compare(long hi, long lo, long tail, long prevHi, long prevLo, long prevTail) {
    int c = Long.compareUnsigned(hi, prevHi);
    if (c == 0) {
      c = Long.compareUnsigned(lo, prevLo);
      if (c == 0) {
        c = Long.compare(tail, prevTail);
      }
    }
    return c;
  }

  static String orderProblem(int c, long hi, long lo, long tail, long prevHi, long prevLo, long prevTail) {
    String hash = Hex.format(hi, lo, tail);
    return c == 0 ? "duplicate hash " + hash : "unsorted: hash " + hash + " comes after "
        + Hex.format(prevHi, prevLo, prevTail);
  }

  private void fail(long line, String what) {
    lines = line;
    problem = what;
  }

  private String malformed(ByteBuffer buf, int start, int limit) {
    StringBuilder text = new StringBuilder();
    int i = start;
    while (i < limit && buf.get(i) != '\n') {
      text.append((char) (buf.get(i++) & 0xFF));
    }
    if (text.length() > 0 && text.charAt(text.length() - 1) == '\r') {
      text.setLength(text.length() - 1);
    }
    return LineDiagnosis.describe(text.toString(), hashChars);
  }
}
