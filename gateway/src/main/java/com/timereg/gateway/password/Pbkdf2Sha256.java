package com.timereg.gateway.password;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PBKDF2-HMAC-SHA256 (RFC 8018) with the HMAC pads absorbed once per password.
 *
 * <p>Every HMAC in the iteration chain starts by hashing the same {@code key ^ ipad} and
 * {@code key ^ opad} blocks. The JDK's HMAC hashes them again each time (four compressions per
 * iteration); here their chaining states are computed once and resumed, so an iteration is two
 * compressions. Who runs those compressions is the {@link Backend}, chosen once when this class
 * initialises: the JDK's intrinsified SHA-256 compression where the JVM lets us reach it, else our
 * pure-Java one. Both give the same bytes; see docs/benchmarks.md for what each costs.
 */
public final class Pbkdf2Sha256 {
  /** 2^32 - 1 blocks is the RFC's bound; far more than anyone needs, so keep it sane. */
  static final int MAX_KEY_BYTES = 1 << 16;

  /** Who runs the SHA-256 compression of the iteration loop. */
  public enum Backend {
    /** The JDK's {@code SHA2.implCompress0}, which HotSpot runs with SHA-NI or AVX2. */
    JDK_SHA256_INTRINSIC,
    /** Our {@link Sha256}: any JVM, no flags, several times slower where the intrinsic exists. */
    PURE_JAVA
  }

  private static final Logger LOG = LoggerFactory.getLogger(Pbkdf2Sha256.class);
  /** PBKDF2-HMAC-SHA256("password", "salt", c=2, 32 bytes), the widely published vector. */
  private static final byte[] KNOWN_PASSWORD = {'p', 'a', 's', 's', 'w', 'o', 'r', 'd'};
  private static final byte[] KNOWN_SALT = {'s', 'a', 'l', 't'};
  private static final byte[] KNOWN_KEY = HexFormat.of()
      .parseHex("ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43");
  /** Declared after the constants {@link #choose()} reads, which class init needs first. */
  private static final Pbkdf2Sha256 CHOSEN = choose();

  private final Backend backend;
  private final HmacChain chain;

  private Pbkdf2Sha256(Backend backend, HmacChain chain) {
    this.backend = backend;
    this.chain = chain;
  }

  /**
   * Derives {@code keyLength} bytes from {@code password} and {@code salt}.
   *
   * @throws IllegalArgumentException if {@code iterations < 1} or {@code keyLength} is not in
   *     1..65536; these are programming errors, not input errors
   */
  public static byte[] derive(byte[] password, byte[] salt, int iterations, int keyLength) {
    return CHOSEN.deriveKey(password, salt, iterations, keyLength);
  }

  /** The backend {@link #derive} uses in this JVM, for the start-up and readiness logs. */
  public static Backend backend() {
    return CHOSEN.backend;
  }

  /**
   * An instance on the given backend, so tests can hold both to the same vectors.
   *
   * @throws IllegalStateException if that backend cannot run in this JVM
   */
  static Pbkdf2Sha256 on(Backend backend) {
    return switch (backend) {
      case JDK_SHA256_INTRINSIC -> new Pbkdf2Sha256(backend, new JdkSha256HmacChain());
      case PURE_JAVA -> new Pbkdf2Sha256(backend, new JavaHmacChain());
    };
  }

  byte[] deriveKey(byte[] password, byte[] salt, int iterations, int keyLength) {
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
    int blocks = (keyLength + Sha256.DIGEST_BYTES - 1) / Sha256.DIGEST_BYTES;
    for (int block = 1; block <= blocks; block++) {
      writeIndex(saltAndIndex, salt.length, block);
      int[] u = firstU(inner, outer, saltAndIndex);
      int[] t = u.clone();
      chain.accumulate(inner, outer, u, t, iterations);
      byte[] chunk = Sha256.toBytes(t, Sha256.DIGEST_BYTES);
      int offset = (block - 1) * Sha256.DIGEST_BYTES;
      System.arraycopy(chunk, 0, out, offset, Math.min(Sha256.DIGEST_BYTES, keyLength - offset));
    }
    return out;
  }

  /** U_1 = HMAC(P, S || INT(block)): the salt may be any length, so the general path. */
  private static int[] firstU(int[] inner, int[] outer, byte[] saltAndIndex) {
    int[] s = inner.clone();
    Sha256.finish(s, Sha256.BLOCK_BYTES, saltAndIndex);
    int[] u = outer.clone();
    Sha256.finish(u, Sha256.BLOCK_BYTES, Sha256.toBytes(s, Sha256.DIGEST_BYTES));
    return u;
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
   * The intrinsic backend when it is reachable and gives the published answer, else pure Java.
   * The known-answer check is two iterations, so it costs nothing at start-up, but it runs the
   * backend's whole loop: a JDK whose SHA2 keeps the same names with other meanings is caught
   * here rather than by a user who cannot log in.
   */
  private static Pbkdf2Sha256 choose() {
    String reason = JdkSha256HmacChain.unavailableReason();
    if (reason == null) {
      try {
        Pbkdf2Sha256 jdk = on(Backend.JDK_SHA256_INTRINSIC);
        if (Arrays.equals(jdk.deriveKey(KNOWN_PASSWORD, KNOWN_SALT, 2, 32), KNOWN_KEY)) {
          LOG.info("PBKDF2-HMAC-SHA256 backend: {} (JDK SHA2.implCompress0; HotSpot "
              + "UseSHA={})", Backend.JDK_SHA256_INTRINSIC,
              hotSpotFlag("UseSHA"));
          return jdk;
        }
        reason = "it gives a wrong key for the published test vector";
      } catch (RuntimeException e) {
        reason = "it failed its known-answer check: " + e;
      }
    }
    // WARN, not INFO: this backend costs several times more CPU per login on a modern x86.
    LOG.warn("PBKDF2-HMAC-SHA256 backend: {}, because the JDK's SHA-256 compression is not "
        + "usable: {}", Backend.PURE_JAVA, reason);
    return on(Backend.PURE_JAVA);
  }

  /** A HotSpot flag's value for the log, or "unknown" on a JVM that does not say. */
  private static String hotSpotFlag(String name) {
    try {
      return ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
          .getVMOption(name).getValue();
    } catch (RuntimeException | LinkageError e) {
      return "unknown";
    }
  }

  private static void writeIndex(byte[] buffer, int offset, int index) {
    buffer[offset] = (byte) (index >>> 24);
    buffer[offset + 1] = (byte) (index >>> 16);
    buffer[offset + 2] = (byte) (index >>> 8);
    buffer[offset + 3] = (byte) index;
  }
}
