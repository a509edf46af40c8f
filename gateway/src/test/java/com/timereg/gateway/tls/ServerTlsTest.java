package com.timereg.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key material each engine gets. */
class ServerTlsTest {
  @TempDir Path dir;

  private ServerTls.KeyMaterial material() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.loadOrCreate(dir, Clock.systemUTC());
    return new ServerTls.KeyMaterial(Files.readAllBytes(cert.certFile()), Files.readAllBytes(cert.keyFile()));
  }

  @Test
  void openSslGetsACachingKeyManagerThatServesTheConfiguredCertificate() throws Exception {
    ServerTls.KeyMaterial material = material();
    KeyCertOptions options = ServerTls.keyCert(new OpenSSLEngineOptions(), material);

    var factory = options.getKeyManagerFactory(null);
    assertThat(factory).isInstanceOf(OpenSslCachingX509KeyManagerFactory.class);
    X509KeyManager keys = (X509KeyManager) factory.getKeyManagers()[0];
    String alias = keys.chooseServerAlias("EC", null, null);
    assertThat(alias).isNotNull();
    String pem = new String(material.certPem(), StandardCharsets.US_ASCII);
    String served = java.util.Base64.getMimeEncoder().encodeToString(keys.getCertificateChain(alias)[0].getEncoded());
    assertThat(pem.replaceAll("\\s", "")).contains(served.replaceAll("\\s", ""));
  }

  @Test
  void theJdkEngineGetsThePemAsItIs() throws Exception {
    assertThat(ServerTls.keyCert(new JdkSSLEngineOptions(), material())).isInstanceOf(PemKeyCertOptions.class);
  }

  @Test
  void aKeyThatDoesNotParseIsACleanErrorForOpenSsl() throws Exception {
    ServerTls.KeyMaterial good = material();
    ServerTls.KeyMaterial broken = new ServerTls.KeyMaterial(good.certPem(),
        "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n".getBytes(StandardCharsets.US_ASCII));

    assertThatThrownBy(() -> ServerTls.keyCert(new OpenSSLEngineOptions(), broken))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("TLS certificate or key cannot be used");
  }

  @Test
  void aKeyThatBelongsToAnotherCertificateIsRefusedByEitherEngine() throws Exception {
    ServerTls.KeyMaterial good = material();
    SelfSignedCertificate other = SelfSignedCertificate.loadOrCreate(dir.resolve("other"), Clock.systemUTC());
    ServerTls.KeyMaterial mismatched = new ServerTls.KeyMaterial(Files.readAllBytes(other.certFile()), good.keyPem());

    assertThatThrownBy(() -> ServerTls.keyCert(new OpenSSLEngineOptions(), mismatched))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong to the certificate");
    assertThatThrownBy(() -> ServerTls.keyCert(new JdkSSLEngineOptions(), mismatched))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong to the certificate");
  }
}
