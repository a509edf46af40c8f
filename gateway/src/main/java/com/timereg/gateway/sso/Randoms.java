package com.timereg.gateway.sso;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable values of a sign-in (state, nonce, PKCE verifier, browser binding) and their hashes. */
final class Randoms {
  /** 256 bits: as strong as the session tokens; 43 characters in base64url, the PKCE minimum. */
  static final int BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

  private Randoms() {}

  static String token() {
    byte[] b = new byte[BYTES];
    RANDOM.nextBytes(b);
    return URL.encodeToString(b);
  }

  /** Whether {@code s} could be a value made by {@link #token()}; anything else is not looked up. */
  static boolean wellFormed(String s) {
    if (s == null || s.length() != 43) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
        return false;
      }
    }
    return true;
  }

  static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  /** The PKCE S256 challenge of a verifier (RFC 7636 section 4.2). */
  static String pkceChallenge(String verifier) {
    return URL.encodeToString(sha256(verifier));
  }
}
