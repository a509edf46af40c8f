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
