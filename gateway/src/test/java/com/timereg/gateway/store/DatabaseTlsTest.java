package com.timereg.gateway.store;

import static com.timereg.gateway.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.SslMode;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.pgclient.pubsub.PgChannel;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.UUID;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS towards a real PostgreSQL (a cluster of its own, {@code ssl = on}, a server certificate for 127.0.0.1 only
 * signed by a test CA, and {@code hostssl} lines only in {@code pg_hba.conf}, so a connection that gets in is
 * encrypted), through both clients: the Vert.x pool and LISTEN connection, and pgjdbc for the migrations.
 */
class DatabaseTlsTest {
  private static Path dir;
  private static LocalPostgres pg;
  private static Vertx vertx;
  private static Path serverCa;
  private static Path otherCa;

  @BeforeAll
  static void start() throws Exception {
    dir = Path.of("target", "pg-test-dbtls-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
    pg = LocalPostgres.open(dir);
    Path pgdata = dir.resolve("pgdata");
    Ca ca = new Ca("CN=gateway test database CA");
    serverCa = dir.resolve("server-ca.pem");
    Files.writeString(serverCa, pem(ca.cert));
    otherCa = dir.resolve("other-ca.pem");
    Files.writeString(otherCa, pem(new Ca("CN=another CA").cert));
    ca.issueServer(pgdata.resolve("server.crt"), pgdata.resolve("server.key"));
    Files.writeString(pgdata.resolve("postgresql.conf"), String.join("\n", "",
        "ssl = on", "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'", ""),
        StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    Path hba = pgdata.resolve("pg_hba.conf");
    Files.writeString(hba, Files.readString(hba).replaceAll("(?m)^host(\\s)", "hostssl$1"));
    pg.stop();
    pg.start();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      await(vertx.close());
    }
    pg.stop();
    PostgresExtension.deleteTree(dir);
  }

  @Test
  void verifyFullWithTheServersCaConnectsThePoolTheMigrationsAndTheListenFeed() throws Exception {
    DatabaseSettings settings = settings("127.0.0.1", SslMode.VERIFY_FULL, serverCa);

    assertThat(Migrations.migrate(settings).schemaVersion()).isNotNull();
    Database db = Database.create(vertx, settings);
    PgSubscriber subscriber = PgSubscriber.subscriber(vertx, Database.connectOptions(settings));
    try {
      assertThat(encrypted(db)).isTrue();
      Promise<Void> listening = Promise.promise();
      Promise<String> received = Promise.promise();
      PgChannel channel = subscriber.channel("dbtls_test");
      channel.subscribeHandler(v -> listening.tryComplete());
      channel.handler(received::tryComplete);
      await(subscriber.connect());
      await(listening.future());
      await(db.pool().query("NOTIFY dbtls_test, 'over tls'").execute());
      assertThat(await(received.future())).isEqualTo("over tls");
    } finally {
      await(subscriber.close());
      await(db.close());
    }
  }

  @Test
  void verifyFullWithAnotherCaIsRefusedByBothClients() {
    DatabaseSettings settings = settings("127.0.0.1", SslMode.VERIFY_FULL, otherCa);

    assertRefused(settings, "PKIX path");
  }

  @Test
  void verifyFullRefusesANameNotInTheCertificateWhereVerifyCaConnects() throws Exception {
    // The certificate names 127.0.0.1 only; localhost reaches the same server.
    assertRefused(settings("localhost", SslMode.VERIFY_FULL, serverCa), "localhost");

    DatabaseSettings verifyCa = settings("localhost", SslMode.VERIFY_CA, serverCa);
    Database db = Database.create(vertx, verifyCa);
    try {
      assertThat(encrypted(db)).isTrue();
    } finally {
      await(db.close());
    }
    assertThat(Migrations.migrate(verifyCa).schemaVersion()).isNotNull();
  }

  @Test
  void requireWithoutARootCertificateEncryptsWithoutCheckingInBothClients() throws Exception {
    // The server's CA is in no trust store: libpq's and pgjdbc's require, which does not check, gets in.
    DatabaseSettings require = settings("127.0.0.1", SslMode.REQUIRE, null);

    Database db = Database.create(vertx, require);
    try {
      assertThat(encrypted(db)).isTrue();
    } finally {
      await(db.close());
    }
    try (Connection c = DriverManager.getConnection(require.jdbcUrl(), require.connection().user(),
        require.connection().password()); ResultSet rs = c.createStatement().executeQuery(ENCRYPTED)) {
      assertThat(rs.next() && rs.getBoolean(1)).isTrue();
    }
  }

  @Test
  void preferEncryptsWithAServerThatOffersTls() {
    // As started: TlsOffer settles prefer first. The Vert.x client (5.0.7) has no TLS options by default and failed
    // every TLS attempt (a NullPointerException), so prefer went on in plain text (refused here by pg_hba.conf).
    DatabaseSettings prefer = TlsOffer.settle(settings("127.0.0.1", SslMode.PREFER, null));
    assertThat(prefer.sslMode()).isEqualTo(SslMode.PREFER);

    Database db = Database.create(vertx, prefer);
    try {
      assertThat(encrypted(db)).isTrue();
    } finally {
      await(db.close());
    }
  }

  @Test
  void requireWithARootCertificateChecksTheChainAsVerifyCa() {
    // libpq's rule: with a root certificate, require behaves as verify-ca.
    assertRefused(settings("127.0.0.1", SslMode.REQUIRE, otherCa), "PKIX path");
  }

  private static final String ENCRYPTED = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()";

  private static boolean encrypted(Database db) {
    return await(db.pool().query(ENCRYPTED).execute()).iterator().next().getBoolean(0);
  }

  /**
   * Neither the pool nor the migrations get in: both fail in the TLS handshake, and pgjdbc says why (the Vert.x
   * client keeps the reason to itself).
   */
  private static void assertRefused(DatabaseSettings settings, String reason) {
    Database db = Database.create(vertx, settings);
    try {
      assertThatThrownBy(() -> await(db.ping())).hasStackTraceContaining("SSL handshake failed");
    } finally {
      await(db.close());
    }
    assertThatThrownBy(() -> Migrations.migrate(settings)).hasStackTraceContaining(reason);
  }

  private static DatabaseSettings settings(String host, SslMode mode, Path rootCert) {
    ConnectionSettings c = pg.settings();
    return new DatabaseSettings(new ConnectionSettings(host, c.port(), c.database(), c.user(), c.password()),
        2, Duration.ofSeconds(5), mode, DatabaseSettings.DEFAULT_IDLE_TIMEOUT, Optional.ofNullable(rootCert));
  }

  /** A throwaway certificate authority. */
  private static final class Ca {
    final KeyPair keys = keyPair();
    final X500Name name;
    final X509Certificate cert;

    Ca(String subject) throws Exception {
      name = new X500Name(subject);
      JcaX509v3CertificateBuilder b = builder(name, name, keys);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      cert = sign(b, keys);
    }

    /** A server certificate for 127.0.0.1 (no host name), with its key, readable by the server's OS user only. */
    void issueServer(Path certFile, Path keyFile) throws Exception {
      KeyPair kp = keyPair();
      JcaX509v3CertificateBuilder b = builder(name, new X500Name("CN=127.0.0.1"), kp);
      b.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
      Files.writeString(certFile, pem(sign(b, keys)));
      Files.writeString(keyFile, pem(new JcaPKCS8Generator(kp.getPrivate(), null)));
      // The server (the postgres OS user when we are root) owns its data directory and refuses a key others read.
      PosixFileAttributeView owner = Files.getFileAttributeView(certFile.getParent(), PosixFileAttributeView.class);
      for (Path p : new Path[] {certFile, keyFile}) {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        view.setOwner(owner.getOwner());
        view.setGroup(owner.readAttributes().group());
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
      }
    }
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
      kpg.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      return kpg.generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair kp) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, new SecureRandom()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject, kp.getPublic());
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair signer) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }

  private static String pem(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    }
    return w.toString();
  }
}
