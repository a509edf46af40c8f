package com.timereg.gateway.password;

import static java.lang.invoke.MethodType.methodType;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigestSpi;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@link HmacChain} whose compressions are done by the JDK's own SHA-256 compression function,
 * {@code sun.security.provider.SHA2.implCompress0(byte[], int)}, which HotSpot's C2 replaces with
 * a SHA-NI or AVX2 stub ({@code @IntrinsicCandidate}, the same in JDK 17 and 25). The public
 * {@code MessageDigest} API cannot resume from a saved state, and PBKDF2 through it or through
 * {@code Mac} costs four compressions per iteration; here each HMAC costs two, like the pure-Java
 * chain, but each at the intrinsic's speed.
 *
 * <p>How: one private {@code SHA2$SHA256} instance per derivation. Before each compression the
 * saved pad state is copied into the instance's own {@code int[] state} field (read once), then
 * {@code implCompress0} absorbs our 64-byte block. The handles are {@code static final}, so C2
 * treats them as constants, inlines through them to {@code implCompress0} and applies the
 * intrinsic. Nothing in the loop allocates.
 *
 * <p>This reaches into JDK internals on purpose, and so it needs
 * {@code --add-opens java.base/sun.security.provider=ALL-UNNAMED} (in the root pom's
 * {@code gateway.jvm.flags}). Without it, or on a JDK whose {@code SHA2} has another shape,
 * {@link #unavailableReason()} says why and {@link Pbkdf2Sha256} uses {@link JavaHmacChain}.
 * The derived bytes do not depend on the intrinsic: where C2 does not apply it, the JDK runs
 * the Java body of the same method. Calling an intrinsic from outside its class can break its
 * assumptions, though: see {@link #chain} for the one that crashed a JVM, and run
 * bench/pbkdf2-jit-stress.sh after any JDK upgrade.
 */
final class JdkSha256HmacChain implements HmacChain {
  static final String OPENS_FLAG = "--add-opens java.base/sun.security.provider=ALL-UNNAMED";

  private static final int HMAC_MESSAGE_BITS = (Sha256.BLOCK_BYTES + Sha256.DIGEST_BYTES) * 8;
  private static final VarHandle BIG_ENDIAN_INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

  /** {@code (MessageDigestSpi digest, byte[] block, int offset) void}: SHA2.implCompress0. */
  private static final MethodHandle COMPRESS;
  /** {@code (MessageDigestSpi digest) int[]}: the SHA2.state field. */
  private static final MethodHandle STATE;
  /** {@code () MessageDigestSpi}: new SHA2.SHA256(). */
  private static final MethodHandle NEW_DIGEST;
  /** Null when the handles above are usable. */
  private static final String UNAVAILABLE;

  static {
    MethodHandle compress = null;
    MethodHandle state = null;
    MethodHandle newDigest = null;
    String unavailable = null;
    try {
      Class<?> sha2 = Class.forName("sun.security.provider.SHA2");
      Class<?> sha256 = Class.forName("sun.security.provider.SHA2$SHA256");
      MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(sha2, MethodHandles.lookup());
      compress = lookup
          .findVirtual(sha2, "implCompress0", methodType(void.class, byte[].class, int.class))
          .asType(methodType(void.class, MessageDigestSpi.class, byte[].class, int.class));
      state = lookup.findGetter(sha2, "state", int[].class)
          .asType(methodType(int[].class, MessageDigestSpi.class));
      newDigest = lookup.findConstructor(sha256, methodType(void.class))
          .asType(methodType(MessageDigestSpi.class));
    } catch (IllegalAccessException e) {
      unavailable = "java.base/sun.security.provider is not opened to this code (JVM flag "
          + OPENS_FLAG + ")";
    } catch (ReflectiveOperationException | RuntimeException e) {
      unavailable = "this JDK's sun.security.provider.SHA2 has another shape: " + e;
    }
    COMPRESS = compress;
    STATE = state;
    NEW_DIGEST = newDigest;
    UNAVAILABLE = unavailable;
  }

  /** Why this chain cannot be used on this JVM, or null if it can. */
  static String unavailableReason() {
    return UNAVAILABLE;
  }

  /** @throws IllegalStateException if {@link #unavailableReason()} is not null */
  JdkSha256HmacChain() {
    if (UNAVAILABLE != null) {
      throw new IllegalStateException(UNAVAILABLE);
    }
  }

  @Override
  public void accumulate(int[] inner, int[] outer, int[] u1, int[] t, int iterations) {
    // Both HMAC passes hash 64 pad bytes then 32 bytes, so one block serves both: words 0..7
    // are the value being hashed, the rest is the same padding every time.
    byte[] block = new byte[Sha256.BLOCK_BYTES];
    block[Sha256.DIGEST_BYTES] = (byte) 0x80;
    BIG_ENDIAN_INT.set(block, Sha256.BLOCK_BYTES - 4, HMAC_MESSAGE_BITS);
    putWords(block, u1);
    int[] state = null;
    try {
      MessageDigestSpi digest = (MessageDigestSpi) NEW_DIGEST.invokeExact();
      state = (int[]) STATE.invokeExact(digest);
      chain(digest, state, block, inner, outer, t, iterations);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("SHA2.implCompress0 threw a checked exception", e);
    } finally {
      // The states are password-derived; leave no more of them in garbage than we must.
      if (state != null) {
        Arrays.fill(state, 0);
      }
      Arrays.fill(block, (byte) 0);
    }
  }

  /**
   * The hot loop. HotSpot's implCompress0 intrinsic loads {@code digest.state} without a null
   * check, because inside SHA2 the receiver is {@code this}. Called through a method handle, C2
   * does not know that {@code digest} is non-null, and on JDK 25 its OSR compilation of this loop
   * then hoisted that load onto a null path and crashed the JVM in most runs (SIGSEGV reading
   * address 0x34, the offset of {@code state}). The null check at the top of each
   * iteration gives C2 the non-null receiver the intrinsic assumes; it costs nothing measurable.
   */
  private static void chain(MessageDigestSpi digest, int[] state, byte[] block, int[] inner,
      int[] outer, int[] t, int iterations) throws Throwable {
    for (int i = 1; i < iterations; i++) {
      Objects.requireNonNull(digest);
      System.arraycopy(inner, 0, state, 0, Sha256.STATE_WORDS);
      COMPRESS.invokeExact(digest, block, 0);
      putWords(block, state);
      System.arraycopy(outer, 0, state, 0, Sha256.STATE_WORDS);
      COMPRESS.invokeExact(digest, block, 0);
      putWords(block, state);
      for (int j = 0; j < Sha256.STATE_WORDS; j++) {
        t[j] ^= state[j];
      }
    }
  }

  private static void putWords(byte[] block, int[] words) {
    for (int j = 0; j < Sha256.STATE_WORDS; j++) {
      BIG_ENDIAN_INT.set(block, 4 * j, words[j]);
    }
  }
}
