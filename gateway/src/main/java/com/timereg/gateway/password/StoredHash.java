package com.timereg.gateway.password;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

/**
 * A parsed Django {@code pbkdf2_sha256$<iterations>$<salt>$<base64 key>}. Parsing is strict
 * where Django itself would fail to verify: Django re-encodes and compares the whole string, so
 * a leading zero in the count or non-canonical base64 never verifies there either.
 */
record StoredHash(int iterations, String salt, byte[] key) {
  static final String ALGORITHM = "pbkdf2_sha256";
  static final int KEY_BYTES = Sha256.DIGEST_BYTES;
  static final int MAX_SALT_CHARS = 256;

  /** Django's other hashers, named in reasons; any other algorithm text is not echoed. */
  private static final Set<String> KNOWN_ALGORITHMS = Set.of("argon2", "bcrypt_sha256", "bcrypt",
      "scrypt", "pbkdf2_sha1", "sha1", "md5", "unsalted_sha1", "unsalted_md5", "crypt");

  /** Why a stored hash cannot be used; the message is written to be logged. */
  static final class MalformedHashException extends Exception {
    MalformedHashException(String reason) {
      super(reason, null, false, false);
    }
  }

  static StoredHash parse(String stored) throws MalformedHashException {
    if (stored == null || stored.isEmpty()) {
      throw new MalformedHashException("no stored hash");
    }
    if (stored.startsWith("!")) {
      throw new MalformedHashException("unusable password (Django '!' marker)");
    }
    String[] parts = stored.split("\\$", -1);
    if (!KNOWN_ALGORITHMS.contains(parts[0]) && !ALGORITHM.equals(parts[0])) {
      throw new MalformedHashException("not a " + ALGORITHM + " hash");
    }
    if (!ALGORITHM.equals(parts[0])) {
      throw new MalformedHashException("unsupported algorithm " + parts[0]);
    }
    if (parts.length != 4) {
      throw new MalformedHashException("expected 4 '$'-separated fields, found " + parts.length);
    }
    return new StoredHash(parseIterations(parts[1]), parseSalt(parts[2]), parseKey(parts[3]));
  }

  static String format(int iterations, String salt, byte[] key) {
    return ALGORITHM + "$" + iterations + "$" + salt + "$" + Base64.getEncoder().encodeToString(key);
  }

  /** Never the salt or key: a stored hash in a log is an offline cracking target. */
  @Override
  public String toString() {
    return "StoredHash[" + ALGORITHM + ", iterations=" + iterations + "]";
  }

  byte[] saltBytes() {
    return salt.getBytes(StandardCharsets.UTF_8);
  }

  private static int parseIterations(String text) throws MalformedHashException {
    if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new MalformedHashException("iteration count is not a number in 1.."
          + DjangoPbkdf2Hasher.MAX_ITERATIONS);
    }
    if (text.charAt(0) == '0') {
      throw new MalformedHashException("iteration count has a leading zero");
    }
    int iterations = Integer.parseInt(text);
    if (iterations > DjangoPbkdf2Hasher.MAX_ITERATIONS) {
      throw new MalformedHashException("iteration count above " + DjangoPbkdf2Hasher.MAX_ITERATIONS);
    }
    return iterations;
  }

  private static String parseSalt(String salt) throws MalformedHashException {
    if (salt.isEmpty() || salt.length() > MAX_SALT_CHARS) {
      throw new MalformedHashException("salt empty or longer than " + MAX_SALT_CHARS);
    }
    return salt;
  }

  private static byte[] parseKey(String text) throws MalformedHashException {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException notBase64) {
      throw new MalformedHashException("key is not standard base64");
    }
    // The JDK decoder accepts missing padding and stray low bits; Django's string compare doesn't.
    if (key.length != KEY_BYTES || !Base64.getEncoder().encodeToString(key).equals(text)) {
      throw new MalformedHashException("key is not " + KEY_BYTES + " bytes in padded base64");
    }
    return key;
  }
}
