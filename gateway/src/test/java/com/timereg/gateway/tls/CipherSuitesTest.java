package com.timereg.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The TLS 1.2 cipher suites each engine offers, with an EC and an RSA certificate, at start and after a certificate
 * reload ({@code updateSSLOptions}). Both engines' defaults took key exchange without forward secrecy (plain RSA:
 * whoever later gets the key reads every recorded session) and CBC suites (Lucky13-style padding oracles), which
 * Mozilla's "intermediate" profile and the TLS BCP (RFC 9325) leave out. An independent client (openssl s_client,
 * at SECLEVEL=0 so that the refusal is the gateway's) offers one kind at a time.
 */
class CipherSuitesTest {
  /** Every suite of a kind, as OpenSSL names them; the client offers only those. */
  private static final String RSA_KEY_EXCHANGE = "AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA:AES256-SHA:AES128-SHA256:AES256-SHA256";
  private static final String CBC_WITH_ECDHE = "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA256"
      + ":ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384";
  private static final String ECDHE_AEAD = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"
      + ":ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

  @TempDir static Path dir;
  static Vertx vertx;
  static ServerTls.KeyMaterial ec;
  static ServerTls.KeyMaterial rsa;

  @BeforeAll
  static void certificates() throws Exception {
    vertx = Vertx.vertx();
    SelfSignedCertificate cert = SelfSignedCertificate.loadOrCreate(dir.resolve("ec"), Clock.systemUTC());
    ec = new ServerTls.KeyMaterial(Files.readAllBytes(cert.certFile()), Files.readAllBytes(cert.keyFile()));
    Process req = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=localhost", "-keyout", dir.resolve("rsa-key.pem").toString(), "-out",
        dir.resolve("rsa-cert.pem").toString()).redirectErrorStream(true).start();
    assertThat(req.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(req.exitValue()).as(new String(req.getInputStream().readAllBytes())).isZero();
    rsa = new ServerTls.KeyMaterial(Files.readAllBytes(dir.resolve("rsa-cert.pem")),
        Files.readAllBytes(dir.resolve("rsa-key.pem")));
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "{0} engine, {1} certificate")
  @CsvSource({"JDK, EC", "JDK, RSA", "OPENSSL, EC", "OPENSSL, RSA"})
  void onlyForwardSecretAeadSuitesAreNegotiatedAtStartAndAfterAReload(TlsSettings.Engine engine, String key)
      throws Exception {
    ServerTls tls = ServerTls.select(engine);
    ServerTls.KeyMaterial material = key.equals("EC") ? ec : rsa;
    HttpServer server = vertx.createHttpServer(tls.apply(new HttpServerOptions().setHost("127.0.0.1").setPort(0), material))
        .requestHandler(request -> request.response().end("ok"));
    server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    try {
      offeredOneKindAtATime(server.actualPort());
      assertThat(server.updateSSLOptions(tls.sslOptions(material), true).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS)).isTrue();
      offeredOneKindAtATime(server.actualPort());
    } finally {
      server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static void offeredOneKindAtATime(int port) throws Exception {
    assertThat(handshake(port, "-tls1_2", ECDHE_AEAD)).as("ECDHE with AES-GCM or ChaCha20").containsPattern(
        "New, TLSv1.2, Cipher is ECDHE-(ECDSA|RSA)-(AES128-GCM-SHA256|CHACHA20-POLY1305)");
    assertThat(handshake(port, "-tls1_3", null)).contains("New, TLSv1.3, Cipher is TLS_");
    assertThat(handshake(port, "-tls1_2", RSA_KEY_EXCHANGE)).as("plain RSA key exchange")
        .contains("Cipher is (NONE)");
    assertThat(handshake(port, "-tls1_2", CBC_WITH_ECDHE)).as("CBC").contains("Cipher is (NONE)");
  }

  private static String handshake(int port, String protocol, String ciphers) throws Exception {
    ProcessBuilder pb = ciphers == null
        ? new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername", "localhost", protocol)
        : new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername", "localhost", protocol,
            "-cipher", ciphers + ":@SECLEVEL=0");
    Process p = pb.redirectErrorStream(true).start();
    p.getOutputStream().close();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return new String(p.getInputStream().readAllBytes());
  }
}
