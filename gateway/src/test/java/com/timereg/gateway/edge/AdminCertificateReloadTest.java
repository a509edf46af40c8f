package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.TestPki;
import com.timereg.gateway.tls.SelfSignedCertificate;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin listener's certificate follows its files as the public one does: staff rotating certificates rewrite
 * {@code admin.tls.cert-file}/{@code key-file} and expect new handshakes to get the new one, the expiry gauge to
 * follow, and client certificates to be asked for and checked exactly as before the reload.
 */
@ExtendWith(PostgresExtension.class)
class AdminCertificateReloadTest {
  @TempDir Path dir;

  @Test
  void aRewrittenAdminCertificateIsServedAndClientCertificatesStillCount(TestDatabase db) throws Exception {
    // Made 30 days ago: it expires 30 days before the renewal, so the gauge's move is plain to see.
    SelfSignedCertificate first = SelfSignedCertificate.loadOrCreate(dir.resolve("first"),
        Clock.offset(Clock.systemUTC(), Duration.ofDays(-30)));
    Path cert = Files.copy(first.certFile(), dir.resolve("admin-cert.pem"));
    Path key = Files.copy(first.keyFile(), dir.resolve("admin-key.pem"));
    Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    TestPki staff = new TestPki("staff CA");
    staff.writeCa(dir.resolve("staff-ca.pem"));
    TestPki.Issued alice = staff.client("CN=alice-sec, O=Security team");
    Gateway gateway = Gateway.start(TestGateways.config(dir, db, Map.of(
        "GATEWAY_ADMIN__HOST", "0.0.0.0",
        "GATEWAY_TLS__RELOAD_INTERVAL", "100ms",
        "GATEWAY_ADMIN__TLS__CERT_FILE", cert.toString(),
        "GATEWAY_ADMIN__TLS__KEY_FILE", key.toString(),
        "GATEWAY_ADMIN__TLS__CLIENT_CA_FILE", dir.resolve("staff-ca.pem").toString(),
        "GATEWAY_ADMIN__TLS__CLIENT_AUTH", "required")));
    try {
      SSLContext aliceTrustingAll = trustingAll(alice);
      assertThat(presented(aliceTrustingAll, gateway.adminPort())).isEqualTo(first.fingerprint());

      // The renewal, signed by a CA the staff trust, renamed over the old files as a rotation tool does.
      TestPki.Issued renewed = new TestPki("admin CA").server();
      TestPki.write(renewed, dir.resolve("new-cert.pem"), dir.resolve("new-key.pem"));
      Files.move(dir.resolve("new-key.pem"), key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Files.move(dir.resolve("new-cert.pem"), cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      String expected = SelfSignedCertificateFingerprint.of(renewed.cert());
      String seen = null;
      // Reloaded within a few 100 ms intervals; bounded, so a listener that never reloads fails the test.
      for (int i = 0; i < 100 && !expected.equals(seen); i++) {
        Thread.sleep(100);
        seen = presented(aliceTrustingAll, gateway.adminPort());
      }
      assertThat(seen).as("new handshakes get the rewritten certificate").isEqualTo(expected);

      HttpResponse<String> metrics = get(aliceTrustingAll, gateway, "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      Matcher m = Pattern.compile("(?m)^gateway_tls_certificate_expiry_seconds\\{listener=\"admin\"} (\\S+)$")
          .matcher(metrics.body());
      assertThat(m.find()).isTrue();
      assertThat((long) Double.parseDouble(m.group(1))).as("the gauge follows the admin certificate")
          .isEqualTo(renewed.cert().getNotAfter().toInstant().getEpochSecond());

      HttpResponse<String> me = get(aliceTrustingAll, gateway, "/admin/api/whoami");
      assertThat(me.statusCode()).as("the staff CA still checks client certificates: " + me.body()).isEqualTo(200);
      assertThat(new JsonObject(me.body()).getString("actor")).isEqualTo("alice-sec");
      assertThatThrownBy(() -> presented(trustingAll(null), gateway.adminPort()))
          .as("client-auth required still refuses a client without a certificate").isInstanceOf(Exception.class);
    } finally {
      gateway.stop();
    }
  }

  /**
   * Staff rotate the CA of their client certificates: the new CA's file is renamed over admin.tls.client-ca-file.
   * Certificates from the new CA are taken without a restart and the old CA's refused (a CA rotated because it
   * leaked must stop letting its certificates in). The CA used to be read at start only, and every reload of the
   * certificate named that first CA again.
   */
  @Test
  void aClientCaRotatedOnDiskIsFollowedWithoutARestart(TestDatabase db) throws Exception {
    TestPki.Issued server = new TestPki("admin CA").server();
    Path cert = dir.resolve("admin-cert.pem");
    Path key = dir.resolve("admin-key.pem");
    TestPki.write(server, cert, key);
    Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    TestPki oldCa = new TestPki("staff CA 2025");
    Path ca = dir.resolve("staff-ca.pem");
    oldCa.writeCa(ca);
    SSLContext alice = trustingAll(oldCa.client("CN=alice-sec, O=Security team"));
    TestPki newCa = new TestPki("staff CA 2026");
    SSLContext bob = trustingAll(newCa.client("CN=bob-sec, O=Security team"));
    Gateway gateway = requiringStaffCertificates(db, cert, key, ca);
    try {
      assertThat(get(alice, gateway, "/admin/api/whoami").statusCode()).isEqualTo(200);
      assertThatThrownBy(() -> presented(bob, gateway.adminPort())).as("the new CA's certificate, before the rotation")
          .isInstanceOf(Exception.class);

      newCa.writeCa(dir.resolve("staff-ca.pem.new"));
      Files.move(dir.resolve("staff-ca.pem.new"), ca, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      boolean taken = false;
      // Taken within a few 100 ms intervals; bounded, so a listener that never follows the CA fails the test.
      for (int i = 0; i < 100 && !taken; i++) {
        Thread.sleep(100);
        try {
          presented(bob, gateway.adminPort());
          taken = true;
        } catch (Exception refused) {
          // not yet
        }
      }
      assertThat(taken).as("a certificate from the new CA is taken without a restart").isTrue();
      HttpResponse<String> me = get(bob, gateway, "/admin/api/whoami");
      assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
      assertThat(new JsonObject(me.body()).getString("actor")).isEqualTo("bob-sec");
      assertThatThrownBy(() -> presented(alice, gateway.adminPort())).as("the old CA's certificates are refused")
          .isInstanceOf(Exception.class);
    } finally {
      gateway.stop();
    }
  }

  /**
   * A CA rotated because it leaked must stop letting its certificates in, on the connections opened before the
   * rotation too: the listener checks a client certificate at the handshake only, and a keep-alive (or HTTP/2)
   * connection kept busy is never closed as idle, so one let in with the old CA went on being served as its staff
   * member for as long as its holder kept it open. Such connections are closed once the new CA is applied.
   */
  @Test
  void aConnectionLetInWithTheOldClientCaIsClosedWhenTheCaIsRotated(TestDatabase db) throws Exception {
    TestPki.Issued server = new TestPki("admin CA").server();
    Path cert = dir.resolve("admin-cert.pem");
    Path key = dir.resolve("admin-key.pem");
    TestPki.write(server, cert, key);
    TestPki leakedCa = new TestPki("staff CA leaked");
    Path ca = dir.resolve("staff-ca.pem");
    leakedCa.writeCa(ca);
    SSLContext mallory = trustingAll(leakedCa.client("CN=alice-sec, O=Security team"));
    Gateway gateway = requiringStaffCertificates(db, cert, key, ca);
    try (SSLSocket open = (SSLSocket) mallory.getSocketFactory().createSocket("127.0.0.1", gateway.adminPort())) {
      open.setSoTimeout(15_000);
      assertThat(exchange(open, "/admin/api/whoami")).as("served as staff before the rotation")
          .startsWith("HTTP/1.1 200");

      new TestPki("staff CA new").writeCa(dir.resolve("staff-ca.pem.new"));
      Files.move(dir.resolve("staff-ca.pem.new"), ca, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      // Nothing sent: the gateway itself ends the connection once the new CA is in use (within a few intervals);
      // before, the read waited for the idle timeout and the connection still answered as staff.
      boolean closed;
      try {
        closed = open.getInputStream().read() < 0;
      } catch (java.net.SocketTimeoutException stillOpen) {
        closed = false;
      } catch (java.io.IOException reset) {
        closed = true;
      }
      assertThat(closed).as("the connection let in with the old CA is closed").isTrue();
      assertThatThrownBy(() -> presented(mallory, gateway.adminPort())).as("and a new one is refused")
          .isInstanceOf(Exception.class);
    } finally {
      gateway.stop();
    }
  }

  /** One request on an open HTTP/1.1 connection, its answer read whole (by its Content-Length); the head returned. */
  private static String exchange(SSLSocket socket, String path) throws Exception {
    socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n")
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    java.io.InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new java.io.EOFException("closed within the answer's head: " + head);
      }
      head.append((char) b);
    }
    Matcher length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(head);
    if (!length.find()) {
      throw new java.io.IOException("no Content-Length: " + head);
    }
    in.readNBytes(Integer.parseInt(length.group(1)));
    return head.toString();
  }

  /** SHA-256 fingerprint of the certificate a fresh handshake is shown (after the handshake has fully ended). */
  private static String presented(SSLContext ctx, int port) throws Exception {
    try (SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      // TLS 1.3: a refused client certificate shows on the first read, not in the handshake.
      socket.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      if (socket.getInputStream().read() < 0) {
        throw new java.io.IOException("closed without an answer");
      }
      return SelfSignedCertificateFingerprint.of((X509Certificate) socket.getSession().getPeerCertificates()[0]);
    }
  }

  private static HttpResponse<String> get(SSLContext ctx, Gateway gateway, String path) throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
    return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.adminPort() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A client presenting {@code identity} (or nothing) that trusts any server certificate. */
  private static SSLContext trustingAll(TestPki.Issued identity) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    if (identity != null) {
      keys.setKeyEntry("me", identity.keys().getPrivate(), new char[0], new X509Certificate[] {identity.cert()});
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    return com.timereg.gateway.testsupport.TrustAllTls.context(kmf.getKeyManagers());
  }

  private static final class SelfSignedCertificateFingerprint {
    static String of(X509Certificate cert) throws Exception {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
      return java.util.HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
    }
  }

  /** A gateway whose admin listener requires a certificate of the staff CA in {@code ca}, checked every 100 ms. */
  private Gateway requiringStaffCertificates(TestDatabase db, Path cert, Path key, Path ca) throws Exception {
    return Gateway.start(TestGateways.config(dir, db, Map.of(
        "GATEWAY_ADMIN__HOST", "0.0.0.0",
        "GATEWAY_TLS__RELOAD_INTERVAL", "100ms",
        "GATEWAY_ADMIN__TLS__CERT_FILE", cert.toString(),
        "GATEWAY_ADMIN__TLS__KEY_FILE", key.toString(),
        "GATEWAY_ADMIN__TLS__CLIENT_CA_FILE", ca.toString(),
        "GATEWAY_ADMIN__TLS__CLIENT_AUTH", "required")));
  }
}
