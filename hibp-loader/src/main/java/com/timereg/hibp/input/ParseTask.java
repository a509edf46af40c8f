package com.timereg.hibp.input;

import java.nio.ByteBuffer;

/**
 * Whole lines of one file, a slice of a read buffer, parsed on a worker thread into a batch of its own.
 * Checks every line and the order of the hashes within the slice; the reader checks the order across
 * slices and turns the slice's line numbers into the file's. Stops at the first bad line and keeps its
 * description for the reader, which reports it only if no earlier slice failed.
 */
final class ParseTask<B extends EntryBatch> implements Runnable {
  /** Longer than any valid line (40 hex, ':', 18 digits, CRLF). */
  static final int MAX_LINE = 128;
  private static final int MAX_COUNT_DIGITS = 18;
  private static final long HIGH_BITS = 0x8080808080808080L;
  /**
   * Entries handed to the batch at a time: few enough to stay in the L1 cache, enough that the batch's loop
   * runs with its state in registers rather than the parse loop calling it once per line.
   */
  private static final int HAND_OVER = 256;

  final ReadAhead.Chunk chunk;
  private final BatchSink<B> sink;
  final int file;
  private final int from;
  private final int to;
  private final long prefixBits;
  private final int hashChars;
  private final int shift;
  /** The slice's entries, once run. */
  B batch;
  int entries;
  /** Lines parsed, and the 1-based line within the slice of the problem when {@link #problem} is set. */
  long lines;
  String problem;
  long firstHi;
  long firstLo;
  /** Order keys ({@link Hex#orderKey8}) of the last eight hex digits of the first and last hash; -1: none. */
  long firstTail = -1;
  long lastHi;
  long lastLo;
  long lastTail = -1;
  private long slowHi;
  private long slowLo;
  private long slowTail;
  private long slowCount;

  ParseTask(ReadAhead.Chunk chunk, BatchSink<B> sink, int file, int from, int to, long prefixBits,
            int prefixDigits) {
    this.chunk = chunk;
    this.sink = sink;
    this.file = file;
    this.from = from;
    this.to = to;
    this.prefixBits = prefixBits;
    this.hashChars = 40 - prefixDigits;
    this.shift = 4 * prefixDigits;
  }

  /** The most entries a slice of {@code bytes} can hold: every line is at least the hash, ':' and a digit. */
  static int maxEntries(int bytes, int prefixDigits) {
    return bytes / (40 - prefixDigits + 2) + 1;
  }

  @Override
  public void run() {
    ByteBuffer buf = chunk.buf;
    int limit = to;
    int pos = from;
    B out = sink.newBatch(maxEntries(to - from, 40 - hashChars));
    batch = out;
    long[] parsed = new long[3 * HAND_OVER];
    int k = 0;
    int n = 0;
    long prevHi = 0;
    long prevLo = 0;
    long prevTail = -1;
    long line = 0;
    while (pos < limit) {
      line++;
      int end = pos + hashChars;
      long hi = 0;
      long lo = 0;
      long tail = 0;
      long count = 0;
      int next = -1;
      // Fast path: a line with all its bytes (and the 8 from its ':' on) inside the slice, a count of 1 to 6
      // digits (5 with CRLF: HIBP's counts are mostly small) and LF or CRLF; one branch decides whether all
      // of it is valid. Anything else, valid or not, takes the general path, which also names the problem.
      if (end + Long.BYTES <= limit) {
        long c0 = buf.getLong(pos);
        long c1 = buf.getLong(end - 32);
        long c2 = buf.getLong(end - 24);
        long c3 = buf.getLong(end - 16);
        long c4 = buf.getLong(end - 8);
        long colon = buf.getLong(end);
        long notHex = (Hex.hexDigitBits(c0) & Hex.hexDigitBits(c1) & Hex.hexDigitBits(c2)
            & Hex.hexDigitBits(c3) & Hex.hexDigitBits(c4) & HIGH_BITS) ^ HIGH_BITS;
        // The seven bytes after ':', a zero byte on top, which is no digit: at most 7 digits are found.
        long chars = colon >>> 8;
        int digits = Long.numberOfTrailingZeros(~Hex.digitMask(chars) & HIGH_BITS) >>> 3;
        // The byte after the digits and the one after it (zero when past the word, so no line end).
        int term = (int) (chars >>> (digits << 3)) & 0xFFFF;
        int lineEnd = (term & 0xFF) == '\n' ? 1 : term == ('\r' | '\n' << 8) ? 2 : 0;
        if ((notHex | ((c0 | c1 | c2 | c3 | c4 | colon) & HIGH_BITS)) == 0 && (colon & 0xFF) == ':'
            && digits > 0 && lineEnd > 0) {
          count = Hex.parseDigits(chars, digits);
          hi = (prefixBits | (Hex.value8(c0) >>> shift)) << 32 | Hex.value8(c1);
          lo = Hex.value8(c2) << 32 | Hex.value8(c3);
          tail = Hex.orderKey8(c4);
          next = count == 0 ? -1 : end + 1 + digits + lineEnd;
        }
      }
      if (next < 0) {
        next = parseLine(buf, pos, limit);
        if (next < 0) {
          fail(line, malformed(buf, pos, limit));
          return;
        }
        hi = slowHi;
        lo = slowLo;
        tail = slowTail;
        count = slowCount;
      }
      // Unsigned comparisons written out (adding MIN_VALUE): Long.compareUnsigned's three-way result costs
      // branches on every line.
      if (line == 1) {
        firstHi = hi;
        firstLo = lo;
        firstTail = tail;
      } else if (hi != prevHi ? hi + Long.MIN_VALUE < prevHi + Long.MIN_VALUE
          : lo != prevLo ? lo + Long.MIN_VALUE < prevLo + Long.MIN_VALUE : tail <= prevTail) {
        fail(line, orderProblem(compare(hi, lo, tail, prevHi, prevLo, prevTail), hi, lo, tail, prevHi, prevLo,
            prevTail));
        return;
      }
      parsed[k] = hi;
      parsed[k + 1] = lo;
      parsed[k + 2] = count;
      k += 3;
      if (k == parsed.length) {
        out.addAll(parsed, 0, HAND_OVER);
        k = 0;
      }
      n++;
      prevHi = hi;
      prevLo = lo;
      prevTail = tail;
      pos = next;
    }
    out.addAll(parsed, 0, k / 3);
    lines = line;
    entries = n;
    lastHi = prevHi;
    lastLo = prevLo;
    lastTail = prevTail;
  }

  /**
   * The general path for one line starting at {@code pos}: near the slice's end, long counts, a final line
   * without line end, and every malformed line. Returns where the next line starts, with the entry in the
   * slow* fields, or -1 if the line is malformed.
   */
  private int parseLine(ByteBuffer buf, int pos, int limit) {
    int end = pos + hashChars;
    boolean fits = end + 1 <= limit;
    long raw0 = fits ? Hex.parse8(buf.getLong(pos)) : -1;
    long g1 = fits ? Hex.parse8(buf.getLong(end - 32)) : -1;
    long g2 = fits ? Hex.parse8(buf.getLong(end - 24)) : -1;
    long g3 = fits ? Hex.parse8(buf.getLong(end - 16)) : -1;
    long c4 = fits ? buf.getLong(end - 8) : -1;
    long g4 = fits ? Hex.parse8(c4) : -1;
    if ((raw0 | g1 | g2 | g3 | g4) < 0 || buf.get(end) != ':') {
      return -1;
    }
    int j = end + 1;
    long count = 0;
    int digitsEnd = Math.min(limit, j + MAX_COUNT_DIGITS + 1);
    while (j < digitsEnd && buf.get(j) >= '0' && buf.get(j) <= '9') {
      count = count * 10 + buf.get(j++) - '0';
    }
    if (j == end + 1 || j - end - 1 > MAX_COUNT_DIGITS || count == 0) {
      return -1;
    }
    if (j < limit) {
      byte b = buf.get(j);
      if (b == '\r' && j + 1 < limit && buf.get(j + 1) == '\n') {
        j += 2;
      } else if (b == '\n' || (b == '\r' && j + 1 == limit)) {
        j += 1;
      } else {
        return -1;
      }
    }
    slowHi = (prefixBits | (raw0 >>> shift)) << 32 | g1;
    slowLo = g2 << 32 | g3;
    slowTail = Hex.orderKey8(c4);
    slowCount = count;
    return j;
  }

  /**
   * Compares two hashes given by their first 128 bits and the order key of their last eight digits
   * ({@link Hex#orderKey8}; -1 stands below every hash, for "none yet").
   */
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
    String hash = Hex.format(hi, lo, Hex.valueOfKey8(tail));
    return c == 0 ? "duplicate hash " + hash : "unsorted: hash " + hash + " comes after "
        + Hex.format(prevHi, prevLo, Hex.valueOfKey8(prevTail));
  }

  private void fail(long line, String what) {
    lines = line;
    problem = what;
  }

  private String malformed(ByteBuffer buf, int start, int limit) {
    StringBuilder text = new StringBuilder();
    int i = start;
    while (i < limit && buf.get(i) != '\n') {
      if (text.length() == MAX_LINE) {
        // The slice may end inside the line (it ends at a buffer's end when no line end is near): its length
        // here would be a slice's, not the line's.
        return LineDiagnosis.tooLong(text.toString(), MAX_LINE);
      }
      text.append((char) (buf.get(i++) & 0xFF));
    }
    if (text.length() > 0 && text.charAt(text.length() - 1) == '\r') {
      text.setLength(text.length() - 1);
    }
    return LineDiagnosis.describe(text.toString(), hashChars);
  }
}
