package com.timereg.gateway.password;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * Creates and verifies Django's {@code pbkdf2_sha256$<iterations>$<salt>$<base64 key>} hashes,
 * byte for byte as Django's {@code PBKDF2PasswordHasher} does, so the gateway can share a Django
 * user table. Pure CPU and slow on purpose: call it on the {@link VerificationPool}, never on an
 * event loop.
 *
 * <p>The password is hashed exactly as given (UTF-8 of the Java string, no normalisation), as
 * Django hashes the raw string it received.
 */
public final class DjangoPbkdf2Hasher {
  public static final String ALGORITHM = StoredHash.ALGORITHM;
  /** Django's salt: 22 characters of [a-zA-Z0-9], i.e. at least 128 bits of entropy. */
  public static final int SALT_CHARS = 22;
  /** Stored counts above this are refused as absurd: one such hash would stall a pool thread. */
  public static final int MAX_ITERATIONS = 10_000_000;

  private static final char[] SALT_ALPHABET =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

  private final int iterations;
  private final SecureRandom random;

  /** A hasher making new hashes with {@code iterations} and salts from a new SecureRandom. */
  public DjangoPbkdf2Hasher(int iterations) {
    this(iterations, new SecureRandom());
  }

  public DjangoPbkdf2Hasher(int iterations, SecureRandom random) {
    if (iterations < 1 || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException("iterations must be in 1.." + MAX_ITERATIONS);
    }
    this.iterations = iterations;
    this.random = random;
  }

  public int iterations() {
    return iterations;
  }

  /** A new hash of {@code password} with a fresh salt at this hasher's iteration count. */
  public String hash(String password) {
    return encode(password, newSalt(), iterations);
  }

  /** Django's {@code encode(password, salt, iterations)}; the salt must not contain '$'. */
  public static String encode(String password, String salt, int iterations) {
    if (salt.isEmpty() || salt.indexOf('$') >= 0) {
      throw new IllegalArgumentException("salt must be non-empty and free of '$'");
    }
    byte[] key = Pbkdf2Sha256.derive(password.getBytes(StandardCharsets.UTF_8),
        salt.getBytes(StandardCharsets.UTF_8), iterations, StoredHash.KEY_BYTES);
    return StoredHash.format(iterations, salt, key);
  }

  /**
   * Checks {@code password} against {@code stored}. Never throws: an unusable stored hash gives
   * {@link Verification.Outcome#MALFORMED} with a reason fit for a log line.
   */
  public static Verification verify(String password, String stored) {
    StoredHash parsed;
    try {
      parsed = StoredHash.parse(stored);
    } catch (StoredHash.MalformedHashException e) {
      return Verification.malformed(e.getMessage());
    }
    if (password == null) {
      return Verification.MISMATCH;
    }
    byte[] candidate = Pbkdf2Sha256.derive(password.getBytes(StandardCharsets.UTF_8),
        parsed.saltBytes(), parsed.iterations(), StoredHash.KEY_BYTES);
    // A lone surrogate (JSON allows "\ud800") has no UTF-8 form and was hashed as '?': it is not the
    // password with a '?' there. Django cannot be handed one; the work is done all the same, for the timing.
    return MessageDigest.isEqual(candidate, parsed.key()) && hasUtf8Form(password)
        ? Verification.MATCH : Verification.MISMATCH;
  }

  private static boolean hasUtf8Form(String text) {
    return StandardCharsets.UTF_8.newEncoder().canEncode(text);
  }

  /**
   * Whether a hash that just verified should be replaced by a new one: its count is below
   * {@code policyIterations}, its salt is shorter than Django's (so Django would rehash it too),
   * or it is not a usable pbkdf2_sha256 hash at all. A count above the policy is kept: the
   * policy is a floor, and lowering it must not weaken hashes already stored.
   */
  public static boolean needsRehash(String stored, int policyIterations) {
    try {
      StoredHash parsed = StoredHash.parse(stored);
      return parsed.iterations() < policyIterations || parsed.salt().length() < SALT_CHARS;
    } catch (StoredHash.MalformedHashException e) {
      return true;
    }
  }

  public boolean needsRehash(String stored) {
    return needsRehash(stored, iterations);
  }

  /**
   * A well-formed hash at this hasher's count that no password matches (its key is random, not
   * derived), so verifying against it for an unknown user costs what a wrong password costs.
   */
  public String unmatchableHash() {
    byte[] key = new byte[StoredHash.KEY_BYTES];
    random.nextBytes(key);
    return StoredHash.format(iterations, newSalt(), key);
  }

  String newSalt() {
    char[] salt = new char[SALT_CHARS];
    for (int i = 0; i < SALT_CHARS; i++) {
      salt[i] = SALT_ALPHABET[random.nextInt(SALT_ALPHABET.length)];
    }
    return new String(salt);
  }
}
