package com.timereg.gateway.password;

/**
 * Lets the JMH benchmark, in another package, time each backend rather than only the one this
 * JVM chose. Test sources only: production code always derives with the chosen backend.
 */
public final class Pbkdf2Backends {
  private Pbkdf2Backends() {}

  public static byte[] derive(Pbkdf2Sha256.Backend backend, byte[] password, byte[] salt,
      int iterations, int keyLength) {
    return Pbkdf2Sha256.on(backend).deriveKey(password, salt, iterations, keyLength);
  }
}
