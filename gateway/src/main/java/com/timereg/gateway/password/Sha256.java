package com.timereg.gateway.password;

/**
 * The SHA-256 compression function (FIPS 180-4) on an {@code int[8]} chaining state, plus a
 * one-shot digest. Written out here, rather than taken from {@code MessageDigest}, because PBKDF2
 * needs to resume hashing from a saved state (the HMAC inner and outer pads already absorbed),
 * which the JDK's API cannot do.
 */
final class Sha256 {
  static final int BLOCK_BYTES = 64;
  static final int DIGEST_BYTES = 32;
  static final int STATE_WORDS = 8;
  /** Words of a message schedule; compress() expands the first 16 into the rest in place. */
  static final int SCHEDULE_WORDS = 64;

  private static final int[] IV = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
  };

  private static final int[] K = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  };

  private Sha256() {}

  static int[] initialState() {
    return IV.clone();
  }

  /**
   * Absorbs one block whose 16 big-endian words are already in {@code w[0..15]}. Overwrites
   * {@code w[16..63]} (and leaves {@code w[0..15]} intact), so a caller can reuse one schedule
   * array for every block without allocating.
   */
  static void compress(int[] state, int[] w) {
    for (int t = 16; t < SCHEDULE_WORDS; t++) {
      int w15 = w[t - 15];
      int w2 = w[t - 2];
      int s0 = Integer.rotateRight(w15, 7) ^ Integer.rotateRight(w15, 18) ^ (w15 >>> 3);
      int s1 = Integer.rotateRight(w2, 17) ^ Integer.rotateRight(w2, 19) ^ (w2 >>> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    int a = state[0];
    int b = state[1];
    int c = state[2];
    int d = state[3];
    int e = state[4];
    int f = state[5];
    int g = state[6];
    int h = state[7];
    for (int t = 0; t < SCHEDULE_WORDS; t++) {
      int s1 = Integer.rotateRight(e, 6) ^ Integer.rotateRight(e, 11) ^ Integer.rotateRight(e, 25);
      int ch = (e & f) ^ (~e & g);
      int t1 = h + s1 + ch + K[t] + w[t];
      int s0 = Integer.rotateRight(a, 2) ^ Integer.rotateRight(a, 13) ^ Integer.rotateRight(a, 22);
      int maj = (a & b) ^ (a & c) ^ (b & c);
      int t2 = s0 + maj;
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
  }

  /** Loads 64 bytes at {@code off} as the block words {@code w[0..15]} and absorbs them. */
  static void compress(int[] state, byte[] block, int off, int[] w) {
    for (int i = 0; i < 16; i++) {
      int p = off + 4 * i;
      w[i] = (block[p] & 0xff) << 24 | (block[p + 1] & 0xff) << 16
          | (block[p + 2] & 0xff) << 8 | (block[p + 3] & 0xff);
    }
    compress(state, w);
  }

  /**
   * Finishes a message: absorbs {@code tail} (any length) after {@code prefixBytes} already
   * absorbed into {@code state}, pads, and leaves the digest words in {@code state}. Used outside
   * the PBKDF2 iteration loop only, so it may allocate.
   */
  static void finish(int[] state, long prefixBytes, byte[] tail) {
    int[] w = new int[SCHEDULE_WORDS];
    int full = tail.length / BLOCK_BYTES * BLOCK_BYTES;
    for (int off = 0; off < full; off += BLOCK_BYTES) {
      compress(state, tail, off, w);
    }
    int rest = tail.length - full;
    byte[] last = new byte[rest + 1 + 8 <= BLOCK_BYTES ? BLOCK_BYTES : 2 * BLOCK_BYTES];
    System.arraycopy(tail, full, last, 0, rest);
    last[rest] = (byte) 0x80;
    long bits = (prefixBytes + tail.length) * 8;
    for (int i = 0; i < 8; i++) {
      last[last.length - 1 - i] = (byte) (bits >>> (8 * i));
    }
    for (int off = 0; off < last.length; off += BLOCK_BYTES) {
      compress(state, last, off, w);
    }
  }

  static byte[] digest(byte[] message) {
    int[] state = initialState();
    finish(state, 0, message);
    return toBytes(state, DIGEST_BYTES);
  }

  static byte[] toBytes(int[] words, int length) {
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = (byte) (words[i >>> 2] >>> (24 - 8 * (i & 3)));
    }
    return out;
  }
}
