package com.timereg.gateway.password;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Run in a JVM of its own by Pbkdf2Sha256Test: prints the chosen backend and one derived key. */
final class Pbkdf2BackendProbe {
  private Pbkdf2BackendProbe() {}

  public static void main(String[] args) {
    System.out.println(Pbkdf2Sha256.backend());
    System.out.println(HexFormat.of().formatHex(Pbkdf2Sha256.derive(
        "password".getBytes(StandardCharsets.US_ASCII), "salt".getBytes(StandardCharsets.US_ASCII),
        4096, 32)));
  }
}
