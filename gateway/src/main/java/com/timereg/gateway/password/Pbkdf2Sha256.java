package com.timereg.gateway.password;

import java.util.Arrays;

/**
 * PBKDF2-HMAC-SHA256 (RFC 8018) with the HMAC pads absorbed once per password.
 *
 * <p>Every HMAC in the iteration chain starts by hashing the same {@code key ^ ipad} and
 * {@code key ^ opad} blocks. The JDK's HMAC hashes them again each time (four compressions per
 * iteration); here their chaining states are computed once and copied, so an iteration is two
 * compressions: the 32-byte U padded to one block into a copy of the inner state, then the inner
 * digest padded to one block into a copy of the outer state. The loop works on preallocated
 * {@code int[]} words and allocates nothing.
 */
public final class Pbkdf2Sha256 {
  /** 2^32 - 1 blocks is the RFC's bound; far more than anyone needs, so keep it sane. */
  static final int MAX_KEY_BYTES = 1 << 16;

  private static final int HMAC_MESSAGE_BITS = (Sha256.BLOCK_BYTES + Sha256.DIGEST_BYTES) * 8;

  private Pbkdf2Sha256() {}

  /**
   * Derives {@code keyLength} bytes from {@code password} and {@code salt}.
   *
   * @throws IllegalArgumentException if {@code iterations < 1} or {@code keyLength} is not in
   *     1..65536; these are programming errors, not input errors
   */
  public static byte[] derive(byte[] password, byte[] salt, int iterations, int keyLength) {
    if (iterations < 1) {
      throw new IllegalArgumentException("iterations must be at least 1");
    }
    if (keyLength < 1 || keyLength > MAX_KEY_BYTES) {
      throw new IllegalArgumentException("key length must be in 1.." + MAX_KEY_BYTES);
    }
    int[] w = new int[Sha256.SCHEDULE_WORDS];
    int[] inner = padState(password, (byte) 0x36, w);
    int[] outer = padState(password, (byte) 0x5c, w);
    byte[] out = new byte[keyLength];
    byte[] saltAndIndex = Arrays.copyOf(salt, salt.length + 4);
    int[] u = new int[Sha256.STATE_WORDS];
    int[] t = new int[Sha256.STATE_WORDS];
    int[] s = new int[Sha256.STATE_WORDS];
    int blocks = (keyLength + Sha256.DIGEST_BYTES - 1) / Sha256.DIGEST_BYTES;
    for (int block = 1; block <= blocks; block++) {
      writeIndex(saltAndIndex, salt.length, block);
      // U_1 = HMAC(P, S || INT(block)): the salt may be any length, so the general path.
      System.arraycopy(inner, 0, s, 0, Sha256.STATE_WORDS);
      Sha256.finish(s, Sha256.BLOCK_BYTES, saltAndIndex);
      loadPaddedDigest(w, s);
      System.arraycopy(outer, 0, u, 0, Sha256.STATE_WORDS);
      Sha256.compress(u, w);
      System.arraycopy(u, 0, t, 0, Sha256.STATE_WORDS);
      for (int i = 1; i < iterations; i++) {
        loadPaddedDigest(w, u);
        System.arraycopy(inner, 0, s, 0, Sha256.STATE_WORDS);
        Sha256.compress(s, w);
        loadPaddedDigest(w, s);
        System.arraycopy(outer, 0, u, 0, Sha256.STATE_WORDS);
        Sha256.compress(u, w);
        for (int j = 0; j < Sha256.STATE_WORDS; j++) {
          t[j] ^= u[j];
        }
      }
      byte[] chunk = Sha256.toBytes(t, Sha256.DIGEST_BYTES);
      int offset = (block - 1) * Sha256.DIGEST_BYTES;
      System.arraycopy(chunk, 0, out, offset, Math.min(Sha256.DIGEST_BYTES, keyLength - offset));
    }
    return out;
  }

  /** The chaining state after absorbing {@code (key padded to a block) ^ pad}. */
  private static int[] padState(byte[] password, byte pad, int[] w) {
    byte[] key = password.length > Sha256.BLOCK_BYTES ? Sha256.digest(password) : password;
    byte[] block = new byte[Sha256.BLOCK_BYTES];
    for (int i = 0; i < Sha256.BLOCK_BYTES; i++) {
      block[i] = (byte) ((i < key.length ? key[i] : 0) ^ pad);
    }
    int[] state = Sha256.initialState();
    Sha256.compress(state, block, 0, w);
    // Key material should not linger in garbage any longer than the caller's copy does.
    Arrays.fill(block, (byte) 0);
    return state;
  }

  /**
   * Puts a 32-byte digest into the schedule as a whole final block of an HMAC pass: 64 pad bytes
   * came before it, so the message is 96 bytes long and the padding fits in the same block.
   */
  private static void loadPaddedDigest(int[] w, int[] digest) {
    System.arraycopy(digest, 0, w, 0, Sha256.STATE_WORDS);
    w[8] = 0x80000000;
    w[9] = 0;
    w[10] = 0;
    w[11] = 0;
    w[12] = 0;
    w[13] = 0;
    w[14] = 0;
    w[15] = HMAC_MESSAGE_BITS;
  }

  private static void writeIndex(byte[] buffer, int offset, int index) {
    buffer[offset] = (byte) (index >>> 24);
    buffer[offset + 1] = (byte) (index >>> 16);
    buffer[offset + 2] = (byte) (index >>> 8);
    buffer[offset + 3] = (byte) index;
  }
}
