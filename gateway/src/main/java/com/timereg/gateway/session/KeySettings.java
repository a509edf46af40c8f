package com.timereg.gateway.session;

import java.util.List;
import java.util.Objects;

/**
 * The keys that sign and verify access tokens, as text the configuration resolved (from a file
 * or the environment; never from the committed configuration). {@link TokenKeys#load} validates
 * them.
 *
 * @param algorithm the one JWS algorithm tokens are signed and accepted with ({@value
 *     #DEFAULT_ALGORITHM}); see {@link TokenKeys#SUPPORTED_ALGORITHMS}
 * @param signingKey the active key, or null when none is configured (allowed only in dev mode)
 * @param verificationKeys further keys whose tokens are still accepted (the previous key during
 *     a rotation); never used to sign
 * @param devMode with no signing key, generate an ephemeral one in memory instead of refusing to
 *     start; tokens then die with the process (browsers refresh transparently)
 */
public record KeySettings(String algorithm, ConfiguredKey signingKey, List<ConfiguredKey> verificationKeys, boolean devMode) {
  public static final String DEFAULT_ALGORITHM = "ES256";

  public KeySettings {
    Objects.requireNonNull(algorithm, "algorithm");
    verificationKeys = List.copyOf(Objects.requireNonNull(verificationKeys, "verificationKeys"));
  }

  /** Dev mode without configured keys: an ephemeral {@value #DEFAULT_ALGORITHM} key. */
  public static KeySettings devDefaults() {
    return new KeySettings(DEFAULT_ALGORITHM, null, List.of(), true);
  }

  /**
   * One key and its id.
   *
   * @param keyId the JWS {@code kid}: letters, digits, {@code . _ -}, at most 64 characters
   * @param material a PEM private key for the signing key (PKCS#8 {@code PRIVATE KEY}, {@code EC
   *     PRIVATE KEY} or {@code RSA PRIVATE KEY}); a PEM {@code PUBLIC KEY}, {@code CERTIFICATE} or
   *     private key for a verification key; for HS256 the shared secret itself (UTF-8, at least
   *     32 bytes)
   */
  public record ConfiguredKey(String keyId, String material) {
    public ConfiguredKey {
      Objects.requireNonNull(keyId, "keyId");
      Objects.requireNonNull(material, "material");
    }

    @Override
    public String toString() {
      return "ConfiguredKey[keyId=" + keyId + ", material=****]";
    }
  }
}
