package com.timereg.gateway.password.bench;

import com.timereg.gateway.password.Pbkdf2Backends;
import com.timereg.gateway.password.Pbkdf2Sha256;
import com.timereg.gateway.password.Pbkdf2Sha256.Backend;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Our PBKDF2-HMAC-SHA256 against the JDK's {@code PBKDF2WithHmacSHA256} at the same count, one
 * thread: the score is verifications per second per core. bench/pbkdf2-vs-openssl.sh gives the
 * native baseline for the same count.
 *
 * <p>{@link #ours} is the production entry point, on whichever backend this JVM chose (the JVM
 * flags of bench/jmh are the gateway's, so the JDK intrinsic one); {@link #oursJdkIntrinsic} and
 * {@link #oursPureJava} pin each backend. {@link #jdkDigestClones} is not in production code:
 * two compressions per iteration through clones of JDK {@code MessageDigest}s that have absorbed
 * the pads, the best the public API allows; it allocates in the loop.
 *
 * <p>Full run: {@code bench/jmh Pbkdf2Benchmark -f 2 -wi 3 -i 5 -r 10s}; smoke:
 * {@code bench/jmh Pbkdf2Benchmark -f 1 -wi 1 -i 1 -r 2s -p iterations=10000}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class Pbkdf2Benchmark {
  @Param({"600000"})
  public int iterations;

  private final char[] passwordChars = "correct horse battery staple".toCharArray();
  private final byte[] password = new String(passwordChars).getBytes(StandardCharsets.UTF_8);
  /** A Django-shaped salt: 22 alphanumerics. */
  private final byte[] salt = "Xq3vT8kLm2NpR7sW9yZb4c".getBytes(StandardCharsets.US_ASCII);
  private SecretKeyFactory jdk;
  private MessageDigest innerPad;
  private MessageDigest outerPad;

  @Setup
  public void setUp() throws Exception {
    jdk = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
    innerPad = padded((byte) 0x36);
    outerPad = padded((byte) 0x5c);
    // A benchmark of a wrong answer measures nothing: all three must agree before timing.
    int measured = iterations;
    iterations = 3;
    byte[] expected = jdk();
    if (!Arrays.equals(expected, ours()) || !Arrays.equals(expected, oursJdkIntrinsic())
        || !Arrays.equals(expected, oursPureJava())
        || !Arrays.equals(expected, jdkDigestClones())) {
      throw new IllegalStateException("implementations disagree");
    }
    iterations = measured;
  }

  private MessageDigest padded(byte pad) throws Exception {
    byte[] block = new byte[64];
    for (int i = 0; i < 64; i++) {
      block[i] = (byte) ((i < password.length ? password[i] : 0) ^ pad);
    }
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(block);
    return md;
  }

  @Benchmark
  public byte[] ours() {
    return Pbkdf2Sha256.derive(password, salt, iterations, 32);
  }

  @Benchmark
  public byte[] oursJdkIntrinsic() {
    return Pbkdf2Backends.derive(Backend.JDK_SHA256_INTRINSIC, password, salt, iterations, 32);
  }

  @Benchmark
  public byte[] oursPureJava() {
    return Pbkdf2Backends.derive(Backend.PURE_JAVA, password, salt, iterations, 32);
  }

  @Benchmark
  public byte[] jdk() throws Exception {
    return jdk.generateSecret(new PBEKeySpec(passwordChars, salt, iterations, 256)).getEncoded();
  }

  /** One 32-byte block of PBKDF2 (enough for Django's key) via cloned JDK digests. */
  @Benchmark
  public byte[] jdkDigestClones() throws Exception {
    MessageDigest inner = (MessageDigest) innerPad.clone();
    inner.update(salt);
    inner.update(new byte[] {0, 0, 0, 1});
    MessageDigest outer = (MessageDigest) outerPad.clone();
    outer.update(inner.digest());
    byte[] u = outer.digest();
    byte[] t = u.clone();
    byte[] innerDigest = new byte[32];
    for (int i = 1; i < iterations; i++) {
      inner = (MessageDigest) innerPad.clone();
      inner.update(u);
      inner.digest(innerDigest, 0, 32);
      outer = (MessageDigest) outerPad.clone();
      outer.update(innerDigest);
      outer.digest(u, 0, 32);
      for (int j = 0; j < 32; j++) {
        t[j] ^= u[j];
      }
    }
    return t;
  }
}
