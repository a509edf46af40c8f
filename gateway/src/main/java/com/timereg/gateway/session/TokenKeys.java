package com.timereg.gateway.session;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.auth.PubSecKeyOptions;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The validated signing and verification keys of access tokens: one algorithm, one active
 * signing key, and every key id (active included) whose tokens are accepted. Build with
 * {@link #load}; the key material never appears in a message or {@link #toString()}.
 */
public final class TokenKeys {
  private static final Logger LOG = LoggerFactory.getLogger(TokenKeys.class);

  /**
   * What {@link KeySettings#algorithm()} may be. No {@code none}; HS256 only with a secret of at
   * least {@value #MIN_HMAC_SECRET_BYTES} bytes, since every node that verifies can then also sign.
   */
  public static final Set<String> SUPPORTED_ALGORITHMS = Set.of("ES256", "ES384", "RS256", "EdDSA", "HS256");
  /** RFC 7518 section 3.2: an HS256 key must be at least as long as the hash output. */
  public static final int MIN_HMAC_SECRET_BYTES = 32;
  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final String algorithm;
  private final String activeKeyId;
  private final PubSecKeyOptions signing;
  private final Map<String, PubSecKeyOptions> verification;
  private final boolean ephemeral;

  private TokenKeys(String algorithm, String activeKeyId, PubSecKeyOptions signing,
      Map<String, PubSecKeyOptions> verification, boolean ephemeral) {
    this.algorithm = algorithm;
    this.activeKeyId = activeKeyId;
    this.signing = signing;
    this.verification = Collections.unmodifiableMap(verification);
    this.ephemeral = ephemeral;
  }

  /**
   * Validates {@code settings} and reports every problem in one exception. Without a signing key
   * this fails, unless dev mode is on: then an ephemeral key is generated, with a warning.
   */
  public static TokenKeys load(KeySettings settings) {
    List<String> problems = new ArrayList<>();
    String alg = settings.algorithm();
    if (!SUPPORTED_ALGORITHMS.contains(alg)) {
      throw new IllegalArgumentException("session signing algorithm must be one of " + SUPPORTED_ALGORITHMS + ", was '" + alg + "'");
    }
    KeySettings.ConfiguredKey active = settings.signingKey();
    if (active == null) {
      if (!settings.devMode()) {
        throw new IllegalArgumentException("no session signing key configured; production refuses to start without one "
            + "(only dev mode generates an ephemeral key)");
      }
      if (!settings.verificationKeys().isEmpty()) {
        problems.add("verification keys are configured but no signing key");
      }
    }
    Map<String, PubSecKeyOptions> verification = new LinkedHashMap<>();
    PubSecKeyOptions signing = null;
    if (active != null) {
      signing = signingKey(alg, active, problems);
      verificationKey(alg, active, verification, problems);
    }
    for (KeySettings.ConfiguredKey k : settings.verificationKeys()) {
      verificationKey(alg, k, verification, problems);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid session keys: " + String.join("; ", problems));
    }
    if (active == null) {
      TokenKeys keys = ephemeral(alg);
      LOG.warn("dev mode: no session signing key configured, generated an ephemeral {} key '{}'; "
          + "access tokens do not survive a restart and other nodes cannot verify them", alg, keys.activeKeyId);
      return keys;
    }
    return new TokenKeys(alg, active.keyId(), signing, verification, false);
  }

  /** A fresh key pair (or HMAC secret) held only in memory: for dev mode and tests. */
  public static TokenKeys ephemeral(String algorithm) {
    String kid = "ephemeral-" + HexFormat.of().formatHex(random(6));
    KeySettings.ConfiguredKey key;
    if ("HS256".equals(algorithm)) {
      key = new KeySettings.ConfiguredKey(kid, HexFormat.of().formatHex(random(MIN_HMAC_SECRET_BYTES)));
    } else {
      key = new KeySettings.ConfiguredKey(kid, PemKeys.privatePem(PrivateKeyInfo.getInstance(generate(algorithm).getPrivate().getEncoded())));
    }
    TokenKeys loaded = load(new KeySettings(algorithm, key, List.of(), false));
    return new TokenKeys(loaded.algorithm, kid, loaded.signing, loaded.verification, true);
  }

  /** A new key pair for {@code algorithm} (not HS256), e.g. for tests and key-generation tooling. */
  public static KeyPair generate(String algorithm) {
    try {
      KeyPairGenerator g;
      switch (algorithm) {
        case "ES256", "ES384" -> {
          g = KeyPairGenerator.getInstance("EC");
          g.initialize(new ECGenParameterSpec("ES256".equals(algorithm) ? "secp256r1" : "secp384r1"));
        }
        case "RS256" -> {
          g = KeyPairGenerator.getInstance("RSA");
          g.initialize(2048);
        }
        case "EdDSA" -> g = KeyPairGenerator.getInstance("Ed25519");
        default -> throw new IllegalArgumentException("no key pair for algorithm " + algorithm);
      }
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a " + algorithm + " key pair", e);
    }
  }

  private static PubSecKeyOptions signingKey(String alg, KeySettings.ConfiguredKey key, List<String> problems) {
    String where = "signing key '" + key.keyId() + "'";
    if (!validKeyId(key.keyId(), where, problems)) {
      return null;
    }
    if ("HS256".equals(alg)) {
      return hmac(key, where, problems);
    }
    try {
      PemKeys.Parsed parsed = PemKeys.parse(key.material());
      if (parsed.privateKey() == null) {
        problems.add(where + " must be a private key, not a public key or certificate");
        return null;
      }
      String mismatch = PemKeys.mismatch(alg, parsed.publicKey());
      if (mismatch != null) {
        problems.add(where + ": " + mismatch);
        return null;
      }
      return new PubSecKeyOptions().setAlgorithm(alg).setId(key.keyId()).setBuffer(PemKeys.privatePem(parsed.privateKey()));
    } catch (IllegalArgumentException e) {
      problems.add(where + ": " + e.getMessage());
      return null;
    }
  }

  private static void verificationKey(String alg, KeySettings.ConfiguredKey key, Map<String, PubSecKeyOptions> out, List<String> problems) {
    String where = "verification key '" + key.keyId() + "'";
    if (!validKeyId(key.keyId(), where, problems)) {
      return;
    }
    if (out.containsKey(key.keyId())) {
      problems.add("key id '" + key.keyId() + "' is configured twice");
      return;
    }
    PubSecKeyOptions options;
    if ("HS256".equals(alg)) {
      options = hmac(key, where, problems);
    } else {
      try {
        SubjectPublicKeyInfo pub = PemKeys.parse(key.material()).publicKey();
        String mismatch = PemKeys.mismatch(alg, pub);
        if (mismatch != null) {
          problems.add(where + ": " + mismatch);
          return;
        }
        // Only the public half: a verification key must never be able to sign.
        options = new PubSecKeyOptions().setAlgorithm(alg).setId(key.keyId()).setBuffer(PemKeys.publicPem(pub));
      } catch (IllegalArgumentException e) {
        problems.add(where + ": " + e.getMessage());
        return;
      }
    }
    if (options != null) {
      out.put(key.keyId(), options);
    }
  }

  private static PubSecKeyOptions hmac(KeySettings.ConfiguredKey key, String where, List<String> problems) {
    if (key.material().contains("-----BEGIN ")) {
      // A public key or certificate left in place when the algorithm became HS256: its text would be an HMAC
      // secret that everyone holding the public key has, and they could sign tokens of this kid.
      problems.add(where + ": an HS256 secret is the shared secret itself, not a PEM key (was session.algorithm changed?)");
      return null;
    }
    byte[] secret = key.material().getBytes(StandardCharsets.UTF_8);
    if (secret.length < MIN_HMAC_SECRET_BYTES) {
      problems.add(where + ": an HS256 secret needs at least " + MIN_HMAC_SECRET_BYTES + " bytes, has " + secret.length);
      return null;
    }
    return new PubSecKeyOptions().setAlgorithm("HS256").setId(key.keyId()).setBuffer(Buffer.buffer(secret));
  }

  private static boolean validKeyId(String kid, String where, List<String> problems) {
    if (!KEY_ID.matcher(kid).matches()) {
      problems.add(where + ": a key id is 1 to 64 of A-Z a-z 0-9 . _ -");
      return false;
    }
    return true;
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }

  public String algorithm() {
    return algorithm;
  }

  public String activeKeyId() {
    return activeKeyId;
  }

  /** Every key id whose tokens are accepted, the active one included. */
  public Set<String> keyIds() {
    return verification.keySet();
  }

  /** True when the signing key was generated in memory (dev mode, tests). */
  public boolean ephemeral() {
    return ephemeral;
  }

  PubSecKeyOptions signingOptions() {
    return new PubSecKeyOptions(signing);
  }

  List<PubSecKeyOptions> verificationOptions() {
    return verification.values().stream().map(PubSecKeyOptions::new).toList();
  }

  @Override
  public String toString() {
    return "TokenKeys[" + algorithm + ", signing with '" + activeKeyId + "'" + (ephemeral ? " (ephemeral)" : "")
        + ", accepting " + verification.keySet() + "]";
  }
}
