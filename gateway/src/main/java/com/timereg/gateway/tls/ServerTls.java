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
import java.util.List;

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
    return options.setSsl(true)
        .setUseAlpn(true)
        .setAlpnVersions(ALPN)
        .setSslEngineOptions(engine)
        .setEnabledSecureTransportProtocols(TlsSettings.PROTOCOLS)
        .setKeyCertOptions(keyCert(engine, material));
  }

  /** Options for {@code HttpServer.updateSSLOptions} when the certificate changes. */
  public ServerSSLOptions sslOptions(KeyMaterial material) {
    return new ServerSSLOptions()
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
    if (!(engine instanceof OpenSSLEngineOptions)) {
      return pem;
    }
    try {
      // Values, not paths: Vert.x reads nothing through a Vertx instance here.
      return KeyCertOptions.wrap(new OpenSslCachingX509KeyManagerFactory(pem.getKeyManagerFactory(null)));
    } catch (Exception e) {
      throw new IllegalArgumentException("TLS certificate or key cannot be used: " + e.getMessage(), e);
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
