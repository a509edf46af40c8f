package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.TestPki;
import com.timereg.gateway.testsupport.TrustAllTls;
import com.timereg.gateway.tls.SelfSignedCertificate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gateway_tls_certificate_expiry_seconds{listener}} through the real {@code /metrics}: the not-after of the
 * certificate each TLS listener serves, as Unix seconds, from the start and again after a reload.
 */
@ExtendWith(PostgresExtension.class)
class CertificateExpiryMetricTest {
  @TempDir Path dir;

  @Test
  void bothListenersReportTheirCertificatesExpiryAndTheReloadedOneReplacesThePublicOne(TestDatabase db) throws Exception {
    // Made 30 days ago, so that it expires 30 days before the renewal below.
    SelfSignedCertificate first = SelfSignedCertificate.loadOrCreate(dir.resolve("first"),
        Clock.offset(Clock.systemUTC(), Duration.ofDays(-30)));
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Files.copy(first.certFile(), cert);
    Files.copy(first.keyFile(), key);
    TestPki pki = new TestPki("metric test CA");
    TestPki.Issued adminCert = pki.server();
    TestPki.write(adminCert, dir.resolve("admin-cert.pem"), dir.resolve("admin-key.pem"));
    Gateway gateway = Gateway.start(TestGateways.config(dir, db, Map.of(
        "GATEWAY_TLS__CERT_FILE", cert.toString(),
        "GATEWAY_TLS__KEY_FILE", key.toString(),
        "GATEWAY_TLS__RELOAD_INTERVAL", "100ms",
        "GATEWAY_ADMIN__TLS__CERT_FILE", dir.resolve("admin-cert.pem").toString(),
        "GATEWAY_ADMIN__TLS__KEY_FILE", dir.resolve("admin-key.pem").toString())));
    try {
      String metrics = metrics(gateway, "https");
      assertThat(expiry(metrics, "public")).contains(notAfter(cert));
      assertThat(expiry(metrics, "admin")).contains(adminCert.cert().getNotAfter().toInstant().getEpochSecond());

      SelfSignedCertificate renewed = SelfSignedCertificate.loadOrCreate(dir.resolve("renewed"), Clock.systemUTC());
      Files.copy(renewed.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
      Files.copy(renewed.certFile(), cert, StandardCopyOption.REPLACE_EXISTING);
      long expected = notAfter(cert);
      Optional<Long> seen = Optional.empty();
      // Reloaded within a few 100 ms intervals; bounded, so a reload that never updates it fails the test.
      for (int i = 0; i < 100 && !seen.equals(Optional.of(expected)); i++) {
        Thread.sleep(100);
        seen = expiry(metrics(gateway, "https"), "public");
      }
      assertThat(seen).as("after the reload").contains(expected);
      assertThat(expected - notAfter(first.certFile())).as("the renewal expires later").isGreaterThan(86_400);
    } finally {
      gateway.stop();
    }
  }

  @Test
  void theDevModesSelfSignedCertificateCountsAndAPlainAdminListenerHasNone(TestDatabase db) throws Exception {
    Gateway gateway = Gateway.start(TestGateways.config(dir, db, Map.of()));
    try {
      String metrics = metrics(gateway, "http");
      Path self = dir.resolve("data/tls/selfsigned-cert.pem");
      assertThat(expiry(metrics, "public")).contains(notAfter(self));
      assertThat(expiry(metrics, "admin")).isEmpty();
    } finally {
      gateway.stop();
    }
  }

  private static String metrics(Gateway gateway, String scheme) throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(TrustAllTls.context()).build();
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(
        URI.create(scheme + "://127.0.0.1:" + gateway.adminPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  private static Optional<Long> expiry(String metrics, String listener) {
    Matcher m = Pattern.compile("(?m)^gateway_tls_certificate_expiry_seconds\\{listener=\"" + listener + "\"} (\\S+)$")
        .matcher(metrics);
    return m.find() ? Optional.of((long) Double.parseDouble(m.group(1))) : Optional.empty();
  }

  private static long notAfter(Path pem) throws Exception {
    try (var in = Files.newInputStream(pem)) {
      return ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in))
          .getNotAfter().toInstant().getEpochSecond();
    }
  }
}
