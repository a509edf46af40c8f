package com.timereg.gateway.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Server TLS settings.
 *
 * @param certFile PEM certificate chain; with {@code keyFile}, or neither for a self-signed local certificate
 * @param keyFile PEM private key (PKCS#8 or PKCS#1)
 * @param engine which TLS implementation to use
 * @param reloadInterval how often the certificate files are checked for changes
 * @param selfSignedDir where the generated local certificate lives (inside the data directory)
 */
public record TlsSettings(
    Optional<Path> certFile, Optional<Path> keyFile, Engine engine, Duration reloadInterval, Path selfSignedDir) {

  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(10);

  /** TLS 1.0 and 1.1 are refused: both are deprecated (RFC 8996). */
  public static final java.util.Set<String> PROTOCOLS = java.util.Set.of("TLSv1.2", "TLSv1.3");

  /**
   * The cipher suites offered, best first: for TLS 1.2 only ECDHE key exchange with an AEAD cipher (Mozilla's
   * "intermediate" profile, RFC 9325 4.2), for the ECDSA and the RSA certificates alike. Both engines' defaults
   * also took plain RSA key exchange, without forward secrecy (whoever later gets the key reads every recorded
   * session), and CBC suites. TLS 1.3's own three suites are named for the JDK's engine, which otherwise would
   * offer none; BoringSSL keeps its TLS 1.3 suites whatever is set. {@code CipherSuitesTest}.
   */
  public static final java.util.List<String> CIPHER_SUITES = java.util.List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  public enum Engine {
    /** OpenSSL (BoringSSL through netty-tcnative) when it loads, the JDK's engine otherwise. */
    AUTO,
    OPENSSL,
    JDK
  }

  public boolean selfSigned() {
    return certFile.isEmpty();
  }
}
