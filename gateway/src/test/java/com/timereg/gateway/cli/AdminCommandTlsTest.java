package com.timereg.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.Gateway;
import com.timereg.gateway.edge.TestGateways;
import com.timereg.gateway.session.AuthMethod;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.TestPki;
import io.vertx.junit5.VertxExtension;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against an admin listener exposed with {@code admin.tls} and {@code client-auth: required}, as security
 * staff reach it: its certificate from an internal CA, a staff client certificate, or a staff access token. Real
 * gateway, real TLS handshakes, real PostgreSQL.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class AdminCommandTlsTest {
  @TempDir static Path dir;
  static TestPki pki;
  static TestDatabase database;
  static Gateway gateway;
  static String url;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    database = db;
    pki = new TestPki("gateway admin test CA");
    TestPki.write(pki.server(), dir.resolve("admin-cert.pem"), dir.resolve("admin-key.pem"));
    pki.writeCa(dir.resolve("ca.pem"));
    TestPki.write(pki.client("CN=alice-sec, O=Security team"), dir.resolve("alice.pem"), dir.resolve("alice-key.pem"));
    TestPki.write(pki.rsaClient("CN=rita-sec", 2048), dir.resolve("rita.pem"), dir.resolve("rita-key.pem"));
    TestPki.write(pki.client("CN=someone-else"), dir.resolve("other.pem"), dir.resolve("other-key.pem"));
    gateway = start("required", "required");
    url = "https://127.0.0.1:" + gateway.adminPort();
  }

  static Gateway start(String name, String clientAuth) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of(
        "GATEWAY_ADMIN__HOST", "0.0.0.0",
        "GATEWAY_ADMIN__TLS__CERT_FILE", dir.resolve("admin-cert.pem").toString(),
        "GATEWAY_ADMIN__TLS__KEY_FILE", dir.resolve("admin-key.pem").toString(),
        "GATEWAY_ADMIN__TLS__CLIENT_CA_FILE", dir.resolve("ca.pem").toString(),
        "GATEWAY_ADMIN__TLS__CLIENT_AUTH", clientAuth));
    return Gateway.start(TestGateways.config(Files.createDirectories(dir.resolve(name)), database, env));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  static AdminCommandTest.Run admin(String adminUrl, String... args) {
    List<String> all = new ArrayList<>(List.of("admin", "--admin-url", adminUrl));
    all.addAll(List.of(args));
    return AdminCommandTest.gateway(all.toArray(String[]::new));
  }

  static String[] staff(String cert, String key, String... more) {
    List<String> all = new ArrayList<>(List.of("--ca-file", dir.resolve("ca.pem").toString(),
        "--cert-file", dir.resolve(cert).toString(), "--key-file", dir.resolve(key).toString()));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  static String[] join(String[] a, String... b) {
    List<String> all = new ArrayList<>(List.of(a));
    all.addAll(List.of(b));
    return all.toArray(String[]::new);
  }

  static String lastActor(String subject) throws Exception {
    try (Connection c = database.openJdbc(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT actor FROM audit_events WHERE subject = '" + subject + "' ORDER BY id DESC LIMIT 1")) {
      return r.next() ? r.getString(1) : null;
    }
  }

  @Test
  void staffWithTheCaAndTheirCertificateListAndBlockAsTheirCertificatesName() throws Exception {
    AdminCommandTest.Run made = admin(url, join(staff("alice.pem", "alice-key.pem"),
        "blocks", "block", "192.0.2.90", "--duration", "10m", "--reason", "SEC-1 over TLS"));
    assertThat(made.exit()).as(made.err()).isZero();
    assertThat(made.out()).contains("Blocked 192.0.2.90/32").contains("(by alice-sec)");
    assertThat(lastActor("192.0.2.90/32")).isEqualTo("alice-sec");

    AdminCommandTest.Run list = admin(url, join(staff("alice.pem", "alice-key.pem"), "blocks", "list"));
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out()).contains("192.0.2.90/32").contains("SEC-1 over TLS");
  }

  @Test
  void anRsaClientCertificateWorksToo() throws Exception {
    AdminCommandTest.Run made = admin(url, join(staff("rita.pem", "rita-key.pem"),
        "blocks", "block", "192.0.2.91", "--duration", "10m", "--reason", "RSA"));
    assertThat(made.exit()).as(made.err()).isZero();
    assertThat(lastActor("192.0.2.91/32")).isEqualTo("rita-sec");
  }

  @Test
  void withoutTheCaTheListenersCertificateIsNotTrusted() {
    AdminCommandTest.Run r = admin(url, "--cert-file", dir.resolve("alice.pem").toString(),
        "--key-file", dir.resolve("alice-key.pem").toString(), "blocks", "list");
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains("not trusted").contains("--ca-file").doesNotContain("Exception").doesNotContain("\tat ");
  }

  /** Host names stay verified: the listener's certificate names localhost and 127.0.0.1, not 127.0.0.2. */
  @Test
  void aCertificateForAnotherHostIsRefusedEvenFromTheRightCa() {
    AdminCommandTest.Run r = admin("https://127.0.0.2:" + gateway.adminPort(),
        join(staff("alice.pem", "alice-key.pem"), "blocks", "list"));
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains("is not for host '127.0.0.2'").doesNotContain("Exception");
  }

  @Test
  void withoutACertificateTheRefusedHandshakeIsExplained() {
    AdminCommandTest.Run r = admin(url, "--ca-file", dir.resolve("ca.pem").toString(), "blocks", "list");
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains("refused the TLS connection").contains("asking for a client certificate").contains("--cert-file")
        .doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void aKeyThatIsNotTheCertificatesIsAUsageMistakeNamingKeyFile() throws Exception {
    AdminCommandTest.Run r = admin(url, join(staff("alice.pem", "other-key.pem"), "blocks", "list"));
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("--key-file").contains("not the private key of the certificate")
        .doesNotContain(keyBody("other-key.pem")).doesNotContain("\tat ");
  }

  @Test
  void unreadableEncryptedOrHalfCredentialsAreUsageMistakesThatQuoteNoKey() throws Exception {
    Path encrypted = dir.resolve("encrypted-key.pem");
    StringWriter pem = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
      w.writeObject(new JcaPKCS8Generator(pki.client("CN=x").keys().getPrivate(),
          new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC).setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
              .setPassword("pw".toCharArray()).build()));
    }
    Files.writeString(encrypted, pem.toString());
    AdminCommandTest.Run enc = admin(url, join(staff("alice.pem", "encrypted-key.pem"), "blocks", "list"));
    assertThat(enc.exit()).as(enc.err()).isEqualTo(2);
    assertThat(enc.err()).contains("--key-file").contains("encrypted").doesNotContain(keyBody("encrypted-key.pem"));

    Path garbage = dir.resolve("garbage-key.pem");
    Files.writeString(garbage, "-----BEGIN PRIVATE KEY-----\nTOPSECRETnotbase64!!\n-----END PRIVATE KEY-----\n");
    AdminCommandTest.Run bad = admin(url, join(staff("alice.pem", "garbage-key.pem"), "blocks", "list"));
    assertThat(bad.exit()).as(bad.err()).isEqualTo(2);
    assertThat(bad.err()).contains("--key-file").doesNotContain("TOPSECRET").doesNotContain("\tat ");

    AdminCommandTest.Run missing = admin(url, join(staff("alice.pem", "no-such-key.pem"), "blocks", "list"));
    assertThat(missing.exit()).as(missing.err()).isEqualTo(2);
    assertThat(missing.err()).contains("--key-file").contains("does not exist");

    AdminCommandTest.Run half = admin(url, "--ca-file", dir.resolve("ca.pem").toString(),
        "--cert-file", dir.resolve("alice.pem").toString(), "blocks", "list");
    assertThat(half.exit()).as(half.err()).isEqualTo(2);
    assertThat(half.err()).contains("--cert-file and --key-file go together");

    AdminCommandTest.Run notCa = admin(url, "--ca-file", dir.resolve("alice-key.pem").toString(), "blocks", "list");
    assertThat(notCa.exit()).as(notCa.err()).isEqualTo(2);
    assertThat(notCa.err()).contains("--ca-file").contains("no PEM certificate").doesNotContain(keyBody("alice-key.pem"));

    AdminCommandTest.Run plain = admin("http://127.0.0.1:9", join(staff("alice.pem", "alice-key.pem"), "blocks", "list"));
    assertThat(plain.exit()).as(plain.err()).isEqualTo(2);
    assertThat(plain.err()).contains("need an https:// --admin-url");
  }

  @Test
  void aStaffTokenFromAFileOpensTheListenerWhereCertificatesAreOnlyRequested() throws Exception {
    long bob;
    try (Connection c = database.openJdbc(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO customers (slug, name) VALUES ('acme', 'Acme') ON CONFLICT DO NOTHING");
      try (ResultSet r = s.executeQuery("INSERT INTO users (customer_id, login_name, roles) SELECT id,"
          + " 'bob@acme.test', '{user,security}' FROM customers WHERE slug = 'acme' RETURNING id")) {
        r.next();
        bob = r.getLong(1);
      }
    }
    Gateway requested = start("requested", "requested");
    try {
      String token = Await.await(requested.sessions().issue(bob, "acme", "bob@acme.test", AuthMethod.PASSWORD)).accessToken();
      Path tokenFile = dir.resolve("token");
      Files.writeString(tokenFile, token + "\n");
      // Yours alone, as a token file must be (AdminSecretFileModeTest).
      Files.setPosixFilePermissions(tokenFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      String base = "https://127.0.0.1:" + requested.adminPort();
      AdminCommandTest.Run made = admin(base, "--ca-file", dir.resolve("ca.pem").toString(),
          "--token-file", tokenFile.toString(), "blocks", "block", "192.0.2.92", "--duration", "10m", "--reason", "token");
      assertThat(made.exit()).as(made.err()).isZero();
      assertThat(lastActor("192.0.2.92/32")).isEqualTo("bob@acme.test");

      Files.writeString(tokenFile, token.substring(0, token.length() - 4) + "AAAA");
      AdminCommandTest.Run tampered = admin(base, "--ca-file", dir.resolve("ca.pem").toString(),
          "--token-file", tokenFile.toString(), "blocks", "list");
      assertThat(tampered.exit()).isEqualTo(1);
      assertThat(tampered.err()).startsWith("gateway admin: 401").doesNotContain(token.substring(0, 20));
    } finally {
      requested.stop();
    }
  }

  /**
   * A staff token in GATEWAY_ADMIN_TOKEN (a script's or a shell's environment; never a command-line option, which
   * ps shows to every user): sent as the file's would be, --token-file taking precedence, refused (exit 2, not
   * quoted) when it is no token or the URL is http://.
   */
  @Test
  void aStaffTokenFromTheEnvironmentOpensTheListenerTooAndTheFileTakesPrecedence() throws Exception {
    long carol;
    try (Connection c = database.openJdbc(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO customers (slug, name) VALUES ('acme', 'Acme') ON CONFLICT DO NOTHING");
      try (ResultSet r = s.executeQuery("INSERT INTO users (customer_id, login_name, roles) SELECT id,"
          + " 'carol@acme.test', '{user,security}' FROM customers WHERE slug = 'acme' RETURNING id")) {
        r.next();
        carol = r.getLong(1);
      }
    }
    Gateway requested = start("requested-env", "requested");
    java.util.function.UnaryOperator<String> real = AdminCommand.environment;
    Map<String, String> env = new HashMap<>();
    AdminCommand.environment = env::get;
    try {
      String token = Await.await(requested.sessions().issue(carol, "acme", "carol@acme.test", AuthMethod.PASSWORD)).accessToken();
      String tampered = token.substring(0, token.length() - 4) + "AAAA";
      String base = "https://127.0.0.1:" + requested.adminPort();
      String ca = dir.resolve("ca.pem").toString();

      env.put("GATEWAY_ADMIN_TOKEN", token);
      AdminCommandTest.Run made = admin(base, "--ca-file", ca,
          "blocks", "block", "192.0.2.93", "--duration", "10m", "--reason", "env token");
      assertThat(made.exit()).as(made.err()).isZero();
      assertThat(lastActor("192.0.2.93/32")).isEqualTo("carol@acme.test");

      env.put("GATEWAY_ADMIN_TOKEN", tampered);
      AdminCommandTest.Run refused = admin(base, "--ca-file", ca, "blocks", "list");
      assertThat(refused.exit()).isEqualTo(1);
      assertThat(refused.err()).startsWith("gateway admin: 401").doesNotContain(token.substring(0, 20));
      Path tokenFile = dir.resolve("carol-token");
      Files.writeString(tokenFile, token + "\n");
      // Yours alone, as a token file must be (AdminSecretFileModeTest).
      Files.setPosixFilePermissions(tokenFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      AdminCommandTest.Run file = admin(base, "--ca-file", ca, "--token-file", tokenFile.toString(), "blocks", "list");
      assertThat(file.exit()).as("--token-file over the environment: " + file.err()).isZero();

      env.put("GATEWAY_ADMIN_TOKEN", "not a token " + token);
      AdminCommandTest.Run bad = admin(base, "--ca-file", ca, "blocks", "list");
      assertThat(bad.exit()).as(bad.err()).isEqualTo(2);
      assertThat(bad.err()).contains("GATEWAY_ADMIN_TOKEN").doesNotContain(token.substring(0, 20));
      env.put("GATEWAY_ADMIN_TOKEN", token);
      AdminCommandTest.Run plain = admin("http://127.0.0.1:" + requested.adminPort(), "blocks", "list");
      assertThat(plain.exit()).as(plain.err()).isEqualTo(2);
      assertThat(plain.err()).contains("GATEWAY_ADMIN_TOKEN").contains("https://").doesNotContain(token.substring(0, 20));
      AdminCommandTest.Run help = AdminCommandTest.gateway("admin", "--help");
      assertThat(help.out()).contains("GATEWAY_ADMIN_TOKEN").doesNotContain(token.substring(0, 20));
    } finally {
      AdminCommand.environment = real;
      requested.stop();
    }
  }

  /** The base64 body of a PEM file, which no message may repeat. */
  static String keyBody(String file) throws Exception {
    return Files.readAllLines(dir.resolve(file)).get(1);
  }
}
