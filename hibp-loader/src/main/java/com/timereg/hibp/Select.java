package com.timereg.hibp;

/** Position of the k-th set bit of a word without data-dependent branches (Java 17 has no PDEP). */
final class Select {
  /** For each k (0..7) and byte b: position of the k-th set bit of b, 8 when b has no such bit. */
  private static final byte[] IN_BYTE = new byte[8 * 256];

  static {
    for (int k = 0; k < 8; k++) {
      for (int b = 0; b < 256; b++) {
        int seen = 0;
        int pos = 8;
        for (int i = 0; i < 8; i++) {
          if ((b & (1 << i)) != 0 && seen++ == k) {
            pos = i;
            break;
          }
        }
        IN_BYTE[k * 256 + b] = (byte) pos;
      }
    }
  }

  private Select() {}

  /** The position (0..63) of the k-th (0-based) set bit of {@code word}; requires {@code bitCount(word) > k}. */
  static int select(long word, int k) {
    int pos = 0;
    // Each step halves the window: when the lower half has too few ones, move past it (mask m is -1).
    int c = Long.bitCount(word & 0xFFFF_FFFFL);
    int m = (c - k - 1) >> 31;
    k -= c & m;
    pos += 32 & m;
    word >>>= 32 & m;
    c = Long.bitCount(word & 0xFFFF);
    m = (c - k - 1) >> 31;
    k -= c & m;
    pos += 16 & m;
    word >>>= 16 & m;
    c = Long.bitCount(word & 0xFF);
    m = (c - k - 1) >> 31;
    k -= c & m;
    pos += 8 & m;
    word >>>= 8 & m;
    return pos + IN_BYTE[k * 256 + (int) (word & 0xFF)];
  }
}
