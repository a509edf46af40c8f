package com.timereg.hibp;

/** Runs of bits in arrays of little-endian words, LSB-first, as the set file packs them. */
final class Bits {
  private Bits() {}

  /**
   * ORs {@code n} bits of {@code src} from bit {@code from} into {@code dst} at bit {@code at}, where
   * {@code dst} is zero; returns {@code at + n}. Whole words at a time, whatever the two offsets.
   */
  static int copy(long[] src, long from, long[] dst, int at, int n) {
    int end = at + n;
    while (at < end) {
      int k = Math.min(end - at, 64 - (at & 63));
      dst[at >>> 6] |= read(src, from, k) << at;
      at += k;
      from += k;
    }
    return end;
  }

  /** {@code k} (1 to 64) bits of {@code src} from bit {@code from}, in the low bits of the result. */
  static long read(long[] src, long from, int k) {
    int w = (int) (from >>> 6);
    int off = (int) (from & 63);
    long v = src[w] >>> off;
    if (off + k > 64) {
      v |= src[w + 1] << -off;
    }
    return k == 64 ? v : v & ((1L << k) - 1);
  }
}
