package com.timereg.hibp.generate;

import com.timereg.hibp.Sha1;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * Writes a synthetic data set in HIBP's single-file format: {@code n} random SHA-1s merged in order with the
 * SHA-1s of given passwords. Streams in constant memory (apart from the passwords): the hash space is cut
 * into ranges of about 16 expected hashes, each range gets a binomially distributed share of those not yet
 * placed (so the total is exactly n and the ranges look like a uniform sample), and each range is generated
 * and sorted on its own.
 */
public final class SyntheticGenerator {
  private static final int HASHES_PER_RANGE = 16;
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final long randomHashes;
  private final List<KnownPassword> passwords;
  private final SplittableRandom random;
  private final boolean crlf;

  /**
   * @param passwords hashed and merged in; their counts are kept, or drawn like the random ones when 0
   */
  public SyntheticGenerator(long randomHashes, List<KnownPassword> passwords, long seed, boolean crlf) {
    if (randomHashes < 0) {
      throw new IllegalArgumentException("number of hashes must not be negative: " + randomHashes);
    }
    this.randomHashes = randomHashes;
    this.passwords = passwords;
    this.random = new SplittableRandom(seed);
    this.crlf = crlf;
  }

  /** Writes every line; reports the number of lines written about every million. Returns the line count. */
  public long write(OutputStream target, LongConsumer progress) throws IOException {
    Hash[] known = knownHashes();
    int rangeBits = Math.max(0, Math.min(40, 64 - Long.numberOfLeadingZeros(randomHashes / HASHES_PER_RANGE)));
    long ranges = 1L << rangeBits;
    long[] hi = new long[64];
    long[] lo = new long[64];
    int[] tail = new int[64];
    long remaining = randomHashes;
    int k = 0;
    long lines = 0;
    OutputStream out = new BufferedOutputStream(target, 1 << 20);
    byte[] line = new byte[64];
    for (long r = 0; r < ranges; r++) {
      int c = (int) Binomial.sample(random, remaining, 1.0 / (ranges - r));
      remaining -= c;
      if (c > hi.length) {
        hi = new long[c];
        lo = new long[c];
        tail = new int[c];
      }
      for (int i = 0; i < c; i++) {
        hi[i] = rangeBits == 0 ? random.nextLong() : r << (64 - rangeBits) | (random.nextLong() >>> rangeBits);
        lo[i] = random.nextLong();
        tail[i] = random.nextInt();
      }
      sort(hi, lo, tail, c);
      long rangeEnd = rangeBits == 0 ? -1 : ((r + 1) << (64 - rangeBits)) - 1;
      for (int i = 0; i < c; i++) {
        while (k < known.length && known[k].compareTo(hi[i], lo[i], tail[i]) < 0) {
          lines += writeLine(out, line, known[k++]);
        }
        if (k < known.length && known[k].compareTo(hi[i], lo[i], tail[i]) == 0) {
          continue;
        }
        lines += writeLine(out, line, hi[i], lo[i], tail[i], randomCount());
        if ((lines & 0xFFFFF) == 0) {
          progress.accept(lines);
        }
      }
      while (k < known.length && Long.compareUnsigned(known[k].hi, rangeEnd) <= 0) {
        lines += writeLine(out, line, known[k++]);
      }
    }
    out.flush();
    progress.accept(lines);
    return lines;
  }

  /**
   * A heavy tail like HIBP's: P(count >= k) = k^-1.2 (Pareto), so a little over half the hashes were seen once.
   */
  private long randomCount() {
    double u = 1.0 - random.nextDouble();
    return (long) Math.min(1e8, Math.floor(Math.pow(u, -1 / 1.2)));
  }

  private Hash[] knownHashes() {
    Hash[] hashes = new Hash[passwords.size()];
    for (int i = 0; i < hashes.length; i++) {
      KnownPassword p = passwords.get(i);
      ByteBuffer b = ByteBuffer.wrap(Sha1.ofPassword(p.password()));
      hashes[i] = new Hash(b.getLong(), b.getLong(), b.getInt(), p.count() > 0 ? p.count() : randomCount());
    }
    Arrays.sort(hashes, (a, b) -> a.compareTo(b.hi, b.lo, b.tail));
    int n = 0;
    for (Hash h : hashes) {
      if (n == 0 || hashes[n - 1].compareTo(h.hi, h.lo, h.tail) != 0) {
        hashes[n++] = h;
      }
    }
    return Arrays.copyOf(hashes, n);
  }

  private static void sort(long[] hi, long[] lo, int[] tail, int n) {
    for (int i = 1; i < n; i++) {
      long h = hi[i];
      long l = lo[i];
      int t = tail[i];
      int j = i - 1;
      while (j >= 0 && compare(hi[j], lo[j], tail[j], h, l, t) > 0) {
        hi[j + 1] = hi[j];
        lo[j + 1] = lo[j];
        tail[j + 1] = tail[j];
        j--;
      }
      hi[j + 1] = h;
      lo[j + 1] = l;
      tail[j + 1] = t;
    }
  }

  static int compare(long h1, long l1, int t1, long h2, long l2, int t2) {
    int c = Long.compareUnsigned(h1, h2);
    if (c == 0) {
      c = Long.compareUnsigned(l1, l2);
    }
    return c != 0 ? c : Integer.compareUnsigned(t1, t2);
  }

  private int writeLine(OutputStream out, byte[] line, Hash h) throws IOException {
    return writeLine(out, line, h.hi, h.lo, h.tail, h.count);
  }

  private int writeLine(OutputStream out, byte[] line, long hi, long lo, int tail, long count) throws IOException {
    hex(line, 0, hi, 16);
    hex(line, 16, lo, 16);
    hex(line, 32, tail, 8);
    line[40] = ':';
    int n = 41;
    String digits = Long.toString(count);
    for (int i = 0; i < digits.length(); i++) {
      line[n++] = (byte) digits.charAt(i);
    }
    if (crlf) {
      line[n++] = '\r';
    }
    line[n++] = '\n';
    out.write(line, 0, n);
    return 1;
  }

  private static void hex(byte[] out, int at, long value, int digits) {
    for (int i = digits - 1; i >= 0; i--) {
      out[at + i] = HEX[(int) (value & 15)];
      value >>>= 4;
    }
  }

  private record Hash(long hi, long lo, int tail, long count) {
    int compareTo(long h, long l, int t) {
      return compare(hi, lo, tail, h, l, t);
    }
  }
}
