package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.config.GatewayConfig;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.tls.CertificateReloader;
import com.timereg.gateway.tls.SelfSignedCertificate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The public listener with real TLS clients: ALPN, protocol floor, certificate reload, HSTS. */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class TlsListenerTest {
  @TempDir static Path dir;
  static Path certFile;
  static Path keyFile;
  static Gateway gateway;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    SelfSignedCertificate first = SelfSignedCertificate.loadOrCreate(dir.resolve("first"), Clock.systemUTC());
    certFile = dir.resolve("cert.pem");
    keyFile = dir.resolve("key.pem");
    Files.copy(first.certFile(), certFile);
    Files.copy(first.keyFile(), keyFile);
    gateway = Gateway.start(TestGateways.config(dir, db, Map.of(
        "GATEWAY_TLS__CERT_FILE", certFile.toString(),
        "GATEWAY_TLS__KEY_FILE", keyFile.toString(),
        "GATEWAY_TLS__RELOAD_INTERVAL", "100ms",
        "GATEWAY_HTTP_REDIRECT__ENABLED", "true")));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  @Test
  void aRealCertificateWithoutAllowedHostsIsWarnedAbout(TestDatabase db) throws Exception {
    assertThat(startupWarnings(db, Map.of()))
        .anyMatch(w -> w.startsWith("public.allowed-hosts is empty: requests naming any host are served"));
    assertThat(startupWarnings(db, Map.of("GATEWAY_PUBLIC__ALLOWED_HOSTS", "localhost")))
        .noneMatch(w -> w.contains("allowed-hosts"));
  }

  /**
   * Behind a port mapping (docker run -p 80:8080 -p 443:8443) clients reach the public listener at 443, not at the
   * port it binds: the redirects named the bound port, which led nowhere. http-redirect.https-port names the one
   * clients use (443 left out of the Location, as browsers write it); by default the bound port, as before.
   */
  @Test
  void theRedirectNamesTheHttpsPortClientsReachWhenOneIsConfigured(TestDatabase db) throws Exception {
    for (Map.Entry<String, String> c : Map.of("443", "https://time.example.test/week?n=3",
        "9443", "https://time.example.test:9443/week?n=3").entrySet()) {
      Gateway other = Gateway.start(TestGateways.config(Files.createTempDirectory(dir, "redirect"), db, Map.of(
          "GATEWAY_TLS__CERT_FILE", certFile.toString(),
          "GATEWAY_TLS__KEY_FILE", keyFile.toString(),
          "GATEWAY_HTTP_REDIRECT__ENABLED", "true",
          "GATEWAY_HTTP_REDIRECT__HTTPS_PORT", c.getKey())));
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", other.redirectPort())) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET /week?n=3 HTTP/1.1\r\nHost: time.example.test\r\n"
            + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(answer).as("https-port " + c.getKey()).startsWith("HTTP/1.1 308")
            .containsIgnoringCase("location: " + c.getValue() + "\r\n");
      } finally {
        other.stop();
      }
    }
  }

  /** The warnings {@link Gateway} logs while a gateway with this test's certificate starts. */
  private static java.util.List<String> startupWarnings(TestDatabase db, Map<String, String> extra) throws Exception {
    ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Gateway.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> captured =
        new ch.qos.logback.core.read.ListAppender<>();
    captured.start();
    log.addAppender(captured);
    Map<String, String> env = new java.util.HashMap<>(extra);
    env.put("GATEWAY_TLS__CERT_FILE", certFile.toString());
    env.put("GATEWAY_TLS__KEY_FILE", keyFile.toString());
    Path own = Files.createTempDirectory(dir, "warn");
    Gateway other = null;
    try {
      other = Gateway.start(TestGateways.config(own, db, env));
    } finally {
      log.detachAppender(captured);
      if (other != null) {
        other.stop();
      }
    }
    synchronized (captured) {
      return captured.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
          .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
    }
  }

  private HttpClientOptions client(HttpVersion version) {
    return new HttpClientOptions().setSsl(true).setUseAlpn(true).setProtocolVersion(version)
        .setTrustOptions(new PemTrustOptions().addCertPath(certFile.toString()))
        .setDefaultHost("localhost").setDefaultPort(gateway.publicPort());
  }

  @Test
  void negotiatesHttp2ThroughAlpnAndSendsHsts(Vertx vertx, VertxTestContext test) {
    // Held in a local until the response: Vert.x 5 closes clients that become unreachable.
    var client = vertx.createHttpClient(client(HttpVersion.HTTP_2));
    client.request(HttpMethod.GET, "/anything").compose(r -> r.send())
        .onComplete(test.succeeding(resp -> test.verify(() -> {
          assertThat(resp.version()).isEqualTo(HttpVersion.HTTP_2);
          assertThat(resp.getHeader("Strict-Transport-Security")).startsWith("max-age=31536000");
          client.close();
          test.completeNow();
        })));
  }

  @Test
  void negotiatesHttp11ForClientsWithoutHttp2(Vertx vertx, VertxTestContext test) {
    // Held in a local until the response: Vert.x 5 closes clients that become unreachable.
    var client = vertx.createHttpClient(client(HttpVersion.HTTP_1_1));
    client.request(HttpMethod.GET, "/anything").compose(r -> r.send())
        .onComplete(test.succeeding(resp -> test.verify(() -> {
          assertThat(resp.version()).isEqualTo(HttpVersion.HTTP_1_1);
          assertThat(resp.statusCode()).as("no session, not a browser").isEqualTo(401);
          client.close();
          test.completeNow();
        })));
  }

  @Test
  void plainHttpListenerRedirectsEverythingToHttpsKeepingPathAndQuery(Vertx vertx, VertxTestContext test) {
    var client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gateway.redirectPort()));
    client.request(HttpMethod.POST, "/timesheets/week?n=3")
        .compose(req -> req.putHeader("Host", "time.example.test").send())
        .compose(first -> client.request(HttpMethod.GET, "/x")
            .compose(req -> req.putHeader("Host", "evil\"><script>").send())
            .map(second -> java.util.List.of(first, second)))
        .compose(two -> client.request(HttpMethod.GET, "/v6")
            .compose(req -> req.putHeader("Host", "[2001:db8::7]:8080").send())
            .map(third -> java.util.List.of(two.get(0), two.get(1), third)))
        .onComplete(test.succeeding(responses -> test.verify(() -> {
          assertThat(responses.get(0).statusCode()).as("308 keeps the method").isEqualTo(308);
          assertThat(responses.get(0).getHeader("Cache-Control"))
              .as("a permanent redirect is kept by browsers without end unless told").isEqualTo("no-store");
          assertThat(responses.get(0).getHeader("Location"))
              .isEqualTo("https://time.example.test:" + gateway.publicPort() + "/timesheets/week?n=3");
          // No usable Host, and no allowed host to fall back to: refused rather than sent to a guessed host.
          assertThat(responses.get(1).statusCode()).isEqualTo(400);
          assertThat(responses.get(1).getHeader("Location")).isNull();
          assertThat(responses.get(2).getHeader("Location"))
              .isEqualTo("https://[2001:db8::7]:" + gateway.publicPort() + "/v6");
          client.close();
          test.completeNow();
        })));
  }

  @Test
  void theRedirectListenerEncodesWhatARequestTargetMayNotHoldRatherThanFailing() throws Exception {
    // Raw bytes a client on the internet can send in a request line: a control character made the redirect
    // fail (no answer at all, an ERROR with a stack trace per request); the others were echoed raw.
    java.util.Map<String, String> expected = java.util.Map.of(
        "/a\u0001b?q=1", "/a%01b?q=1",
        "/a\u007fb", "/a%7Fb",
        "/caf\u00c3\u00a9?q=<x>\"y", "/caf%C3%A9?q=%3Cx%3E%22y",
        "/p|{}^`\\%41", "/p%7C%7B%7D%5E%60%5C%41");
    for (var e : expected.entrySet()) {
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.redirectPort())) {
        socket.setSoTimeout(10_000);
        var out = socket.getOutputStream();
        out.write(("GET " + e.getKey() + " HTTP/1.1\r\nHost: time.example.test\r\nConnection: close\r\n\r\n")
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        out.flush();
        String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(answer).as(e.getKey()).startsWith("HTTP/1.1 308 ")
            .contains("\r\nLocation: https://time.example.test:" + gateway.publicPort() + e.getValue() + "\r\n");
      }
    }
  }

  @Test
  void refusesTls11AndTls10ButAcceptsTls12AndTls13() throws Exception {
    // openssl is a real, independent TLS client; SECLEVEL=0 makes it willing to offer the old
    // protocols, so a refusal comes from the gateway and not from the client's own policy.
    assertThat(handshake("-tls1_2")).contains("New, TLSv1.2, Cipher is");
    assertThat(handshake("-tls1_3")).contains("New, TLSv1.3, Cipher is");
    // The server's "protocol version" alert proves the old protocol was offered and refused.
    assertThat(handshake("-tls1_1")).contains("alert protocol version").contains("New, (NONE), Cipher is (NONE)");
    assertThat(handshake("-tls1")).contains("alert protocol version").contains("New, (NONE), Cipher is (NONE)");
  }

  private String handshake(String protocolFlag) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + gateway.publicPort(),
        "-servername", "localhost", protocolFlag, "-cipher", "DEFAULT:@SECLEVEL=0")
        .redirectErrorStream(true).start();
    p.getOutputStream().close();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return new String(p.getInputStream().readAllBytes());
  }

  @Test
  void presentsTheReplacedCertificateToNewHandshakesWithoutRestart(Vertx vertx, VertxTestContext test) throws Exception {
    String before = fingerprint(Files.readString(certFile));
    SelfSignedCertificate second = SelfSignedCertificate.loadOrCreate(dir.resolve("second"), Clock.systemUTC());
    Files.copy(second.keyFile(), keyFile, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(second.certFile(), certFile, StandardCopyOption.REPLACE_EXISTING);
    String after = fingerprint(Files.readString(certFile));
    assertThat(after).isNotEqualTo(before);
    pollPresented(vertx, after, 100).onComplete(test.succeeding(seen -> test.verify(() -> {
      assertThat(seen).isEqualTo(after);
      test.completeNow();
    })));
  }

  @Test
  void aKeyFileThatDoesNotParseIsReportedAndTheCurrentCertificateStays(Vertx vertx, VertxTestContext test) throws Exception {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Logger logger = (Logger) LoggerFactory.getLogger(CertificateReloader.class);
    logger.addAppender(appender);
    byte[] goodKey = Files.readAllBytes(keyFile);
    String presented = Await.await(pollPresented(vertx, "", 1));
    Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
    // Five reload intervals: the broken pair is read and refused, and handshakes go on as before.
    vertx.setTimer(500, t -> pollPresented(vertx, "", 1).onComplete(test.succeeding(seen -> test.verify(() -> {
      logger.detachAppender(appender);
      Files.write(keyFile, goodKey);
      assertThat(seen).isEqualTo(presented);
      synchronized (appender) {
        assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
            .anySatisfy(m -> assertThat(m).contains("not applied, keeping the previous one"));
      }
      test.completeNow();
    }))));
  }

  @Test
  void aCertificateWhoseKeyIsAnotherIsReportedAndTheCurrentCertificateStays() throws Exception {
    java.util.concurrent.CompletableFuture<Void> verdict = new java.util.concurrent.CompletableFuture<>();
    ListAppender<ILoggingEvent> appender = new ListAppender<>() {
      @Override
      protected void append(ILoggingEvent event) {
        super.append(event);
        // Only the refusal: a reload line may still come from an earlier test restoring its files.
        if (event.getFormattedMessage().contains("not applied")) {
          verdict.complete(null);
        }
      }
    };
    appender.start();
    Logger logger = (Logger) LoggerFactory.getLogger(CertificateReloader.class);
    byte[] goodCert = Files.readAllBytes(certFile);
    String presented = presentedToAFreshHandshake();
    // A renewal caught half-way: the new certificate is in place, its key not yet. Both parse, but no
    // handshake can complete with them, so the pair must not replace the one in use.
    SelfSignedCertificate renewed = SelfSignedCertificate.loadOrCreate(dir.resolve("renewed"), Clock.systemUTC());
    Path staged = dir.resolve("renewed-cert.pem");
    Files.copy(renewed.certFile(), staged, StandardCopyOption.REPLACE_EXISTING);
    logger.addAppender(appender);
    try {
      Files.move(staged, certFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      // The reloader's refusal of the pair, within the test's bound (applied, it never comes).
      try {
        verdict.get(20, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("no refusal logged within 20 s; logged: " + messages(appender), e);
      }
      assertThat(presentedToAFreshHandshake()).as("new handshakes still complete with the previous certificate")
          .isEqualTo(presented);
      assertThat(messages(appender)).anySatisfy(m -> assertThat(m).contains("not applied, keeping the previous one"));
    } finally {
      logger.detachAppender(appender);
      Files.write(certFile, goodCert);
    }
  }

  private static java.util.List<String> messages(ListAppender<ILoggingEvent> appender) {
    synchronized (appender) {
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  /** The certificate a handshake in a new client context (no session to resume) is shown. */
  private static String presentedToAFreshHandshake() throws Exception {
    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) com.timereg.gateway.testsupport.TrustAllTls.context()
        .getSocketFactory().createSocket("127.0.0.1", gateway.publicPort())) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      return fingerprint((X509Certificate) socket.getSession().getPeerCertificates()[0]);
    }
  }

  /** Handshakes every 100 ms until the listener presents {@code wanted}, at most {@code tries} times. */
  private Future<String> pollPresented(Vertx vertx, String wanted, int tries) {
    // Trusting any certificate is deliberate here: the test inspects which one is presented.
    return vertx.createNetClient(new NetClientOptions().setSsl(true).setTrustAll(true).setHostnameVerificationAlgorithm(""))
        .connect(gateway.publicPort(), "localhost")
        .map(so -> {
          try {
            String fp = fingerprint((X509Certificate) so.peerCertificates().get(0));
            so.close();
            return fp;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        })
        .compose(fp -> fp.equals(wanted) || tries <= 1
            ? Future.succeededFuture(fp)
            : Future.<Void>future(p -> vertx.setTimer(100, t -> p.complete())).compose(v -> pollPresented(vertx, wanted, tries - 1)));
  }

  private static String fingerprint(String pem) throws Exception {
    var cf = java.security.cert.CertificateFactory.getInstance("X.509");
    return fingerprint((X509Certificate) cf.generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes())));
  }

  private static String fingerprint(X509Certificate c) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
  }
}
