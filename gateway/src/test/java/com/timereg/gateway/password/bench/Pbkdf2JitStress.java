package com.timereg.gateway.password.bench;

import com.timereg.gateway.password.Pbkdf2Backends;
import com.timereg.gateway.password.Pbkdf2Sha256.Backend;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One fresh JVM's worth of the JDK-intrinsic backend through C2: a few derivations at a real
 * count, so the loop is OSR-compiled and then compiled whole with the intrinsic inlined, each
 * key checked against the pure-Java backend. Exits 1 on a wrong key; a JIT bug shows as a JVM
 * crash instead, which one JVM cannot report about itself, so bench/pbkdf2-jit-stress.sh starts
 * many and counts. Run it after any JDK upgrade.
 */
public final class Pbkdf2JitStress {
  private Pbkdf2JitStress() {}

  public static void main(String[] args) {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 600_000;
    int derivations = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    byte[] salt = "Xq3vT8kLm2NpR7sW9yZb4c".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < derivations; i++) {
      byte[] password = ("correct horse battery staple " + i).getBytes(StandardCharsets.UTF_8);
      byte[] fast = Pbkdf2Backends.derive(Backend.JDK_SHA256_INTRINSIC, password, salt,
          iterations, 32);
      byte[] reference = Pbkdf2Backends.derive(Backend.PURE_JAVA, password, salt, iterations, 32);
      if (!Arrays.equals(fast, reference)) {
        System.err.println("derivation " + i + ": JDK-intrinsic key differs from pure Java");
        System.exit(1);
      }
    }
  }
}
