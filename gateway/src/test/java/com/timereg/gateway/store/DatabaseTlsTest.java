package com.timereg.gateway.store;

import static com.timereg.gateway.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.timereg.gateway.testsupport.TestPki;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.SslMode;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.pgclient.pubsub.PgChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.bouncycastle.asn1.x509.GeneralName;
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
    TestPki ca = new TestPki("gateway test database CA");
    serverCa = dir.resolve("server-ca.pem");
    ca.writeCa(serverCa);
    otherCa = dir.resolve("other-ca.pem");
    new TestPki("another CA").writeCa(otherCa);
    // For 127.0.0.1 only, no host name: verify-full through "localhost" must fail.
    writeForTheServer(ca.server("CN=127.0.0.1", new GeneralName(GeneralName.iPAddress, "127.0.0.1")),
        pgdata.resolve("server.crt"), pgdata.resolve("server.key"));
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

  /** The certificate and its key, readable by the server's OS user only. */
  private static void writeForTheServer(TestPki.Issued issued, Path certFile, Path keyFile) throws IOException {
    TestPki.write(issued, certFile, keyFile);
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
