package com.timereg.gateway.session;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Refresh tokens: 32 random bytes, base64url without padding (43 characters). Only their SHA-256
 * is stored, and a string that cannot be one of ours is refused before any query.
 */
final class RefreshTokens {
  static final int BYTES = 32;
  static final int LENGTH = 43;
  private static final SecureRandom RANDOM = new SecureRandom();

  private RefreshTokens() {}

  /** A new token and the hash to store for it. */
  record Minted(String token, byte[] hash) {
    @Override
    public String toString() {
      return "Minted[****]";
    }
  }

  static Minted mint() {
    byte[] raw = new byte[BYTES];
    RANDOM.nextBytes(raw);
    return new Minted(Base64.getUrlEncoder().withoutPadding().encodeToString(raw), sha256(raw));
  }

  /** The stored hash of {@code token}, or null when it is not shaped like one of ours. */
  static byte[] hash(String token) {
    if (token == null || token.length() != LENGTH) {
      return null;
    }
    for (int i = 0; i < LENGTH; i++) {
      char c = token.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) {
        return null;
      }
    }
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      return null;
    }
    // 43 characters carry 258 bits; a last character with stray low bits would decode to the
    // same bytes as a canonical one, so insist on the canonical spelling.
    if (!Base64.getUrlEncoder().withoutPadding().encodeToString(raw).equals(token)) {
      return null;
    }
    return sha256(raw);
  }

  static byte[] sha256(byte[] raw) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(raw);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
