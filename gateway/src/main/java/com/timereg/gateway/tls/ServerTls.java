package com.timereg.gateway.tls;

import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;

/** How the public listener speaks TLS: protocols, ALPN, engine and key material. */
public final class ServerTls {
  private static final List<HttpVersion> ALPN = List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1);

  private final SSLEngineOptions engine;
  private final String engineName;

  private ServerTls(SSLEngineOptions engine, String engineName) {
    this.engine = engine;
    this.engineName = engineName;
  }

  /** Picks the engine; {@code OPENSSL} when it cannot load is a start-up error, not a silent fallback. */
  public static ServerTls select(TlsSettings.Engine wanted) {
    boolean openSslLoads = OpenSSLEngineOptions.isAvailable() && OpenSSLEngineOptions.isAlpnAvailable();
    switch (wanted) {
      case JDK:
        return new ServerTls(new JdkSSLEngineOptions(), "JDK");
      case OPENSSL:
        if (!openSslLoads) {
          throw new IllegalStateException("tls.engine is openssl but netty-tcnative (BoringSSL) does not load on this platform");
        }
        return new ServerTls(new OpenSSLEngineOptions(), "OpenSSL (BoringSSL)");
      default:
        return openSslLoads
            ? new ServerTls(new OpenSSLEngineOptions(), "OpenSSL (BoringSSL)")
            : new ServerTls(new JdkSSLEngineOptions(), "JDK (OpenSSL not available)");
    }
  }

  public String engineName() {
    return engineName;
  }

  /** Applies TLS to listener options with the given PEM material. */
  public HttpServerOptions apply(HttpServerOptions options, KeyMaterial material) {
    TlsSettings.CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    return options.setSsl(true)
        .setUseAlpn(true)
        .setAlpnVersions(ALPN)
        .setSslEngineOptions(engine)
        .setEnabledSecureTransportProtocols(TlsSettings.PROTOCOLS)
        .setKeyCertOptions(keyCert(engine, material));
  }

  /** Options for {@code HttpServer.updateSSLOptions} when the certificate changes. */
  public ServerSSLOptions sslOptions(KeyMaterial material) {
    ServerSSLOptions options = new ServerSSLOptions();
    // Named again: the new options replace the listener's, the suites with the rest.
    TlsSettings.CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    return options
        .setUseAlpn(true)
        .setApplicationLayerProtocols(ALPN.stream().map(HttpVersion::alpnName).toList())
        .setEnabledSecureTransportProtocols(TlsSettings.PROTOCOLS)
        .setKeyCertOptions(keyCert(engine, material));
  }

  /**
   * The key material as Vert.x takes it. For OpenSSL, wrapped in Netty's caching key manager factory:
   * otherwise Netty hands BoringSSL the certificate chain and key anew in every handshake, encoding both
   * as PEM and parsing them again (about 9% of the event loop's time on new connections, async-profiler).
   * The cache holds what this one factory returns, so a new certificate (a new factory, through
   * {@link #sslOptions}) is never served from an old cache.
   */
  static KeyCertOptions keyCert(SSLEngineOptions engine, KeyMaterial m) {
    PemKeyCertOptions pem = new PemKeyCertOptions().setCertValue(Buffer.buffer(m.certPem()))
        .setKeyValue(Buffer.buffer(m.keyPem()));
    KeyManagerFactory factory;
    try {
      // Values, not paths: Vert.x reads nothing through a Vertx instance here.
      factory = pem.getKeyManagerFactory(null);
    } catch (Exception e) {
      throw new IllegalArgumentException("TLS certificate or key cannot be used: " + e.getMessage(), e);
    }
    requireMatchingKeys(factory);
    return engine instanceof OpenSSLEngineOptions
        ? KeyCertOptions.wrap(new OpenSslCachingX509KeyManagerFactory(factory))
        : pem;
  }

  /**
   * Refuses a certificate whose key is another one's (a renewal caught between writing the certificate and
   * writing its key, or the wrong key file): both parse and neither engine compares them, so every handshake
   * would fail until the files are fixed. A signature made with the key must verify with the certificate.
   * The admin CLI checks its client certificate with it too.
   */
  public static void requireMatchingKeys(KeyManagerFactory factory) {
    X509KeyManager keys = (X509KeyManager) factory.getKeyManagers()[0];
    for (String type : SIGNATURES.keySet()) {
      String[] aliases = keys.getServerAliases(type, null);
      for (String alias : aliases == null ? new String[0] : aliases) {
        PrivateKey key = keys.getPrivateKey(alias);
        X509Certificate[] chain = keys.getCertificateChain(alias);
        String algorithm = SIGNATURES.get(key.getAlgorithm());
        if (algorithm == null || chain == null || chain.length == 0) {
          continue;
        }
        try {
          byte[] probe = new byte[32];
          new SecureRandom().nextBytes(probe);
          Signature signer = Signature.getInstance(algorithm);
          signer.initSign(key);
          signer.update(probe);
          byte[] signature = signer.sign();
          Signature verifier = Signature.getInstance(algorithm);
          verifier.initVerify(chain[0].getPublicKey());
          verifier.update(probe);
          if (verifier.verify(signature)) {
            continue;
          }
        } catch (GeneralSecurityException e) {
          // a key of another kind than the certificate's: no match either
        }
        throw new IllegalArgumentException("TLS certificate or key cannot be used: the key does not belong to the "
            + "certificate " + chain[0].getSubjectX500Principal().getName());
      }
    }
  }

  /** Key algorithm → a signature it can make, for the key-pair check. */
  private static final Map<String, String> SIGNATURES = Map.of(
      "RSA", "SHA256withRSA", "EC", "SHA256withECDSA", "EdDSA", "EdDSA", "Ed25519", "Ed25519", "Ed448", "Ed448");

  /**
   * The earliest not-after in a PEM chain: the leaf's, unless a certificate above it expires first (clients refuse
   * the chain then as well). Empty when nothing in it parses; {@link #sslOptions} says why.
   */
  public static java.util.Optional<java.time.Instant> notAfter(byte[] certPem) {
    return validity(certPem).map(Validity::notAfter);
  }

  /**
   * When the chain in {@code certPem} can be used: from the latest notBefore to the earliest notAfter of its
   * certificates (clients refuse the chain if any of them is out of its dates). Empty when nothing in it parses.
   */
  static java.util.Optional<Validity> validity(byte[] certPem) {
    try {
      List<X509Certificate> chain = java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificates(new java.io.ByteArrayInputStream(certPem)).stream()
          .map(c -> (X509Certificate) c).toList();
      return chain.stream().map(c -> c.getNotBefore().toInstant()).max(java.util.Comparator.naturalOrder())
          .map(from -> new Validity(from, chain.stream().map(c -> c.getNotAfter().toInstant())
              .min(java.util.Comparator.naturalOrder()).orElseThrow()));
    } catch (java.security.cert.CertificateException | ClassCastException e) {
      return java.util.Optional.empty();
    }
  }

  /** A chain's dates, as {@link #validity} finds them. */
  record Validity(java.time.Instant notBefore, java.time.Instant notAfter) {
    boolean covers(java.time.Instant now) {
      return !now.isBefore(notBefore) && !now.isAfter(notAfter);
    }

    @Override
    public String toString() {
      return "not valid before " + notBefore + " nor after " + notAfter;
    }
  }

  /** PEM certificate chain and key, read together so they always match. */
  public record KeyMaterial(byte[] certPem, byte[] keyPem) {
    public boolean sameAs(KeyMaterial other) {
      return other != null && java.util.Arrays.equals(certPem, other.certPem) && java.util.Arrays.equals(keyPem, other.keyPem);
    }

    @Override
    public String toString() {
      return "KeyMaterial[cert " + certPem.length + " bytes, key ****]";
    }
  }
}
