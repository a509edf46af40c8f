package com.timereg.gateway.password;

/**
 * {@link HmacChain} with our pure-Java {@link Sha256} compression. Works on every JVM without
 * any flag; on a CPU where HotSpot intrinsifies the JDK's SHA-256 it is several times slower than
 * {@link JdkSha256HmacChain}, so it is the fallback.
 */
final class JavaHmacChain implements HmacChain {
  /** An HMAC pass over a 32-byte value is 64 pad bytes plus 32: one padded final block. */
  private static final int HMAC_MESSAGE_BITS = (Sha256.BLOCK_BYTES + Sha256.DIGEST_BYTES) * 8;

  @Override
  public void accumulate(int[] inner, int[] outer, int[] u1, int[] t, int iterations) {
    int[] w = new int[Sha256.SCHEDULE_WORDS];
    int[] s = new int[Sha256.STATE_WORDS];
    int[] u = u1;
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
  }

  /** Puts a 32-byte digest into the schedule as the whole, already padded, final block. */
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
}
