package com.timereg.hibp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-1 as HIBP uses it: of the password's UTF-8 bytes; hex in either case. */
public final class Sha1 {
  private Sha1() {}

  public static byte[] ofPassword(CharSequence password) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-1");
      return md.digest(password.toString().getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-1", e);
    }
  }

  /** Parses 40 hex digits. */
  public static byte[] parseHex(String hex) {
    if (hex.length() != 40) {
      throw new IllegalArgumentException("a SHA-1 has 40 hex digits, got " + hex.length());
    }
    return HexFormat.of().parseHex(hex);
  }

  public static String toHex(byte[] sha1) {
    return HexFormat.of().withUpperCase().formatHex(sha1);
  }
}
