package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.timereg.gateway.edge.Gateway;
import com.timereg.gateway.edge.TestGateways;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.TestPki;
import io.vertx.core.json.JsonObject;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An admin listener bound beyond loopback: with TLS, a client certificate from the configured CA
 * opens the console (actor: its CN); without TLS the console refuses everything while health and
 * metrics keep answering. Real gateways, real TLS handshakes, real PostgreSQL.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class ExposedAdminListenerTest {
  @TempDir static Path dir;
  static TestPki pki;
  static TestPki stranger;
  static TestDatabase database;

  @BeforeAll
  static void certificates(TestDatabase db) throws Exception {
    database = db;
    pki = new TestPki("gateway admin test CA");
    stranger = new TestPki("someone else's CA");
    TestPki.write(pki.server(), dir.resolve("admin-cert.pem"), dir.resolve("admin-key.pem"));
    pki.writeCa(dir.resolve("staff-ca.pem"));
  }

  private static Gateway start(String name, Map<String, String> env) throws Exception {
    Path d = Files.createDirectories(dir.resolve(name));
    // 0.0.0.0: bound beyond loopback, which is what makes the console require credentials. The
    // tests still connect to 127.0.0.1 only.
    Map<String, String> all = new HashMap<>(Map.of("GATEWAY_ADMIN__HOST", "0.0.0.0"));
    all.putAll(env);
    return Gateway.start(TestGateways.config(d, database, all));
  }

  private static Map<String, String> tls(String clientAuth) {
    return Map.of(
        "GATEWAY_ADMIN__TLS__CERT_FILE", dir.resolve("admin-cert.pem").toString(),
        "GATEWAY_ADMIN__TLS__KEY_FILE", dir.resolve("admin-key.pem").toString(),
        "GATEWAY_ADMIN__TLS__CLIENT_CA_FILE", dir.resolve("staff-ca.pem").toString(),
        "GATEWAY_ADMIN__TLS__CLIENT_AUTH", clientAuth);
  }

  private static HttpResponse<String> call(SSLContext ctx, String method, String url, String body, String... headers)
      throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String lastActor(String subject) throws Exception {
    try (Connection c = database.openJdbc(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT actor FROM audit_events WHERE subject = '" + subject + "' ORDER BY id DESC LIMIT 1")) {
      return r.next() ? r.getString(1) : null;
    }
  }

  @Test
  void clientCertificateNamesTheActorAndNoCertificateIsUnauthenticated() throws Exception {
    Gateway g = start("requested", tls("requested"));
    try {
      String base = "https://127.0.0.1:" + g.adminPort();
      SSLContext alice = pki.clientContext(pki.client("CN=alice-sec, O=Security team"));
      SSLContext anonymous = pki.clientContext(null);

      HttpResponse<String> me = call(alice, "GET", base + "/admin/api/whoami", null, "X-Admin-Actor", "mallory");
      assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
      assertThat(new JsonObject(me.body()).getString("actor")).as("the header is ignored off loopback").isEqualTo("alice-sec");
      assertThat(new JsonObject(me.body()).getString("access")).isEqualTo("staff");

      HttpResponse<String> made = call(alice, "POST", base + "/admin/api/blocks",
          new JsonObject().put("target", "192.0.2.60").put("duration", "10m").put("reason", "by certificate").encode(),
          "X-Requested-With", "gateway-console", "Content-Type", "application/json");
      assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
      assertThat(lastActor("192.0.2.60/32")).isEqualTo("alice-sec");

      HttpResponse<String> none = call(anonymous, "GET", base + "/admin/api/blocks", null);
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(new JsonObject(none.body()).getString("error")).isEqualTo("unauthenticated");
      assertThat(none.body()).doesNotContain("192.0.2.60");
      HttpResponse<String> forged = call(anonymous, "GET", base + "/admin/api/blocks", null, "X-Admin-Actor", "local");
      assertThat(forged.statusCode()).isEqualTo(401);

      assertThat(call(anonymous, "GET", base + "/health/live", null).statusCode())
          .as("probes connect without a certificate when it is only requested").isEqualTo(200);

      SSLContext outsider = stranger.clientContext(stranger.client("CN=alice-sec"));
      assertThatThrownBy(() -> call(outsider, "GET", base + "/admin/api/whoami", null))
          .as("a certificate from another CA fails the handshake").isInstanceOf(java.io.IOException.class);
    } finally {
      g.stop();
    }
  }

  /**
   * A certificate from the staff CA that says it is for servers only (an internal web server's, say) is not a
   * staff credential: only one valid for client authentication, or not limited, opens the console.
   */
  @Test
  void aCertificateLimitedToServersIsNoStaffCredential() throws Exception {
    Gateway g = start("purposes", tls("requested"));
    try {
      String base = "https://127.0.0.1:" + g.adminPort();
      SSLContext server = pki.clientContext(pki.client("CN=intranet.example", KeyPurposeId.id_kp_serverAuth));
      boolean refused;
      try {
        refused = call(server, "GET", base + "/admin/api/whoami", null).statusCode() == 401;
      } catch (java.io.IOException handshakeRefused) {
        refused = true;
      }
      assertThat(refused).as("a serverAuth-only certificate opened the console").isTrue();

      SSLContext staff = pki.clientContext(pki.client("CN=alice-sec",
          KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth));
      HttpResponse<String> me = call(staff, "GET", base + "/admin/api/whoami", null);
      assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
      assertThat(new JsonObject(me.body()).getString("actor")).isEqualTo("alice-sec");
    } finally {
      g.stop();
    }
  }

  private static long insertUser(String name, String roles) throws Exception {
    try (Connection c = database.openJdbc(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO customers (slug, name) VALUES ('acme', 'Acme') ON CONFLICT DO NOTHING");
      try (ResultSet r = s.executeQuery("INSERT INTO users (customer_id, login_name, roles) SELECT id, '" + name
          + "', '" + roles + "' FROM customers WHERE slug = 'acme' RETURNING id")) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  @Test
  void signedInSecurityStaffUseTheConsoleWithTheirSessionOthersDoNot() throws Exception {
    long bob = insertUser("bob@acme.test", "{user,security}");
    long carol = insertUser("carol@acme.test", "{user}");
    Gateway g = start("sessions", tls("requested"));
    try {
      String base = "https://127.0.0.1:" + g.adminPort();
      SSLContext noCertificate = pki.clientContext(null);
      String bobToken = com.timereg.gateway.testsupport.Await.await(g.sessions()
          .issue(bob, "acme", "bob@acme.test", com.timereg.gateway.session.AuthMethod.PASSWORD)).accessToken();
      String carolToken = com.timereg.gateway.testsupport.Await.await(g.sessions()
          .issue(carol, "acme", "carol@acme.test", com.timereg.gateway.session.AuthMethod.PASSWORD)).accessToken();

      HttpResponse<String> made = call(noCertificate, "POST", base + "/admin/api/blocks",
          new JsonObject().put("target", "192.0.2.61").put("duration", "10m").put("reason", "by session").encode(),
          "Authorization", "Bearer " + bobToken, "X-Requested-With", "gateway-console", "Content-Type", "application/json");
      assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
      assertThat(lastActor("192.0.2.61/32")).isEqualTo("bob@acme.test");
      HttpResponse<String> byCookie = call(noCertificate, "GET", base + "/admin/api/whoami", null,
          "Cookie", "__Host-gw-access=" + bobToken);
      assertThat(new JsonObject(byCookie.body()).getString("actor")).isEqualTo("bob@acme.test");

      HttpResponse<String> carolTries = call(noCertificate, "GET", base + "/admin/api/blocks", null,
          "Authorization", "Bearer " + carolToken);
      assertThat(carolTries.statusCode()).isEqualTo(403);
      assertThat(carolTries.body()).doesNotContain("192.0.2.61");
      HttpResponse<String> tampered = call(noCertificate, "GET", base + "/admin/api/blocks", null,
          "Authorization", "Bearer " + bobToken.substring(0, bobToken.length() - 4) + "AAAA");
      assertThat(tampered.statusCode()).isEqualTo(401);

      try (Connection c = database.openJdbc(); Statement s = c.createStatement()) {
        s.execute("UPDATE users SET roles = '{user}' WHERE id = " + bob);
      }
      assertThat(call(noCertificate, "GET", base + "/admin/api/whoami", null, "Authorization", "Bearer " + bobToken)
          .statusCode()).as("the role is read at every request").isEqualTo(403);
    } finally {
      g.stop();
    }
  }

  /**
   * The image's health check asked http://127.0.0.1:9090 whatever the configuration said: with the admin listener on
   * another port, on all addresses and with TLS (as README asks for a listener reached from outside), the container
   * stayed unhealthy for good. It now asks where the running gateway wrote its admin listener is.
   */
  @Test
  void theImagesHealthCheckFindsAnAdminListenerWithTlsOnAllAddresses() throws Exception {
    Path data = dir.resolve("health").resolve("data");
    Gateway g = start("health", tls("requested"));
    try {
      assertThat(Files.readAllLines(data.resolve("admin-listener.url")))
          .containsExactly("https://127.0.0.1:" + g.adminPort(), Long.toString(ProcessHandle.current().pid()));
      assertThat(com.timereg.gateway.config.ShippedImageTest.runHealthCheck(data)).isZero();
    } finally {
      g.stop();
    }
    assertThat(data.resolve("admin-listener.url")).as("removed at stop").doesNotExist();
    assertThat(com.timereg.gateway.config.ShippedImageTest.runHealthCheck(data)).as("a stopped gateway").isNotZero();
  }

  @Test
  void requiredClientAuthRefusesConnectionsWithoutCertificate() throws Exception {
    Gateway g = start("required", tls("required"));
    try {
      String base = "https://127.0.0.1:" + g.adminPort();
      assertThatThrownBy(() -> call(pki.clientContext(null), "GET", base + "/health/live", null))
          .isInstanceOf(java.io.IOException.class);
      HttpResponse<String> me = call(pki.clientContext(pki.client("CN=bob-sec")), "GET", base + "/admin/api/whoami", null);
      assertThat(new JsonObject(me.body()).getString("actor")).isEqualTo("bob-sec");
    } finally {
      g.stop();
    }
  }

  @Test
  void exposedWithoutTlsTheConsoleIsClosedButHealthAnswers() throws Exception {
    Gateway g = start("closed", Map.of());
    try {
      AdminHttp http = new AdminHttp(g.adminPort());
      AdminHttp.Response api = http.get("/admin/api/blocks");
      assertThat(api.status()).isEqualTo(403);
      assertThat(api.json().getString("error")).isEqualTo("admin_closed");
      AdminHttp.Response named = http.send("GET", "/admin/api/whoami", null, Map.of("X-Admin-Actor", "local"));
      assertThat(named.status()).isEqualTo(403);
      assertThat(http.get("/health/live").status()).isEqualTo(200);
      assertThat(http.get("/metrics").status()).isEqualTo(200);
    } finally {
      g.stop();
    }
  }
}
