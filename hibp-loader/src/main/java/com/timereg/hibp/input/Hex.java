package com.timereg.hibp.input;

/** Hex digits eight at a time in a long (SWAR), for parsing gigabytes of hashes at memory speed. */
final class Hex {
  private static final long HIGH_BITS = 0x8080808080808080L;

  private Hex() {}

  /**
   * The 32-bit value of eight ASCII hex digits (either case) packed little-endian in {@code chars}, the
   * first digit in the lowest byte; -1 if any byte is not a hex digit.
   */
  static long parse8(long chars) {
    if (((hexDigits(chars) ^ HIGH_BITS) | (chars & HIGH_BITS)) != 0) {
      return -1;
    }
    return value8(chars);
  }

  static long hexDigits(long chars) {
    return hexDigitBits(chars) & HIGH_BITS;
  }

  /**
   * Bit 7 of each byte set where the byte of {@code chars} is an ASCII hex digit (either case), the other
   * bits garbage, so that the caller can AND several words and mask once. Meaningful only when no byte is
   * 0x80 or above, which the caller checks (for several words at once, with one OR): each range test adds a
   * constant that carries into the byte's top bit exactly when the byte is in range, and only a byte that
   * already has its top bit could carry into the next byte.
   */
  static long hexDigitBits(long chars) {
    long digit = (chars + 0x5050505050505050L) & ~(chars + 0x4646464646464646L);
    long lower = chars | 0x2020202020202020L;
    long letter = (lower + 0x1F1F1F1F1F1F1F1FL) & ~(lower + 0x1919191919191919L);
    return digit | letter;
  }

  /**
   * A key that orders eight hex digits (little-endian chars, either case) as their values: lower case sorts
   * '0'-'9' (0x30-0x39) below 'a'-'f' (0x61-0x66), and the byte swap puts the first digit highest. Two
   * operations instead of a conversion, for digits that only need comparing; every byte is below 0x80, so
   * the key is never negative.
   */
  static long orderKey8(long chars) {
    return Long.reverseBytes(chars | 0x2020202020202020L);
  }

  /** The value of the eight hex digits that {@link #orderKey8} made a key of. */
  static long valueOfKey8(long key) {
    return value8(Long.reverseBytes(key));
  }

  /** The 32-bit value of eight hex digits packed little-endian, first digit lowest; not checked. */
  static long value8(long chars) {
    // Digits have bit 6 clear and their value in the low nibble; letters have bit 6 set and low nibble 1..6.
    long nibbles = (chars & 0x0F0F0F0F0F0F0F0FL) + ((chars >>> 6) & 0x0101010101010101L) * 9;
    long r = Long.reverseBytes(nibbles);
    r = (r | (r >>> 4)) & 0x00FF00FF00FF00FFL;
    r = (r | (r >>> 8)) & 0x0000FFFF0000FFFFL;
    return (r | (r >>> 16)) & 0xFFFFFFFFL;
  }

  /**
   * Bit 7 of each byte set where the byte of {@code chars} is an ASCII digit; all bytes must be below 0x80
   * (the caller checks), so the additions cannot carry from one byte into the next.
   */
  static long digitMask(long chars) {
    return (chars + 0x5050505050505050L) & ~(chars + 0x4646464646464646L) & HIGH_BITS;
  }

  /**
   * The value of the first {@code n} (1..8) decimal digits packed little-endian in {@code chars}, first
   * digit lowest: the digits are moved to the top bytes so zero bytes act as leading zeros, then combined
   * pairwise by multiplication (two digits, then four, then eight).
   */
  static long parseDigits(long chars, int n) {
    long v = (chars - 0x3030303030303030L) << (8 * (8 - n));
    v = (v * 10) + (v >>> 8);
    v = (((v & 0x000000FF000000FFL) * (100 + (1000000L << 32)))
        + (((v >>> 16) & 0x000000FF000000FFL) * (1 + (10000L << 32)))) >>> 32;
    return v;
  }

  static boolean isHexDigit(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static final char[] UPPER = "0123456789ABCDEF".toCharArray();

  /** Upper-case hex of a 160-bit hash given as two longs and the last 32 bits. */
  static String format(long hi, long lo, long tail) {
    char[] out = new char[40];
    put(out, 0, hi, 16);
    put(out, 16, lo, 16);
    put(out, 32, tail, 8);
    return new String(out);
  }

  private static void put(char[] out, int at, long value, int digits) {
    for (int i = digits - 1; i >= 0; i--) {
      out[at + i] = UPPER[(int) (value & 15)];
      value >>>= 4;
    }
  }
}
