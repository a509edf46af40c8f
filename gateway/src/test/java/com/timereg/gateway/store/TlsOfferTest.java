package com.timereg.gateway.store;

import static com.timereg.gateway.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.pgclient.SslMode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code sslmode=prefer} settled once against a real server without TLS (a cluster of its own, whose server
 * processes the test counts), a fake one that offers TLS, and an address nobody listens on.
 */
class TlsOfferTest {
  private static Path dir;
  private static LocalPostgres pg;
  private static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    dir = Path.of("target", "pg-test-tls-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
    pg = LocalPostgres.open(dir);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
    pg.stop();
    PostgresExtension.deleteTree(dir);
  }

  @Test
  void aServerWithoutTlsIsUsedInPlainTextAndNoConnectionIsLeftWaiting() throws Exception {
    DatabaseSettings settled = TlsOffer.settle(DatabaseSettings.of(pg.settings()));
    assertThat(settled.sslMode()).isEqualTo(SslMode.DISABLE);
    assertThat(settled.connection()).isEqualTo(pg.settings());

    Database db = Database.create(vertx, settled);
    try {
      await(db.ping());
      assertThat(connectionsAwaitingStartup()).isZero();
    } finally {
      await(db.close());
    }
  }

  @Test
  void unsettledPreferLeavesAConnectionWaitingForItsStartupMessage() throws Exception {
    // Why TlsOffer exists: the Vert.x client's own prefer abandons the connection the server said "no" on.
    // Should this fail after an upgrade, the client closes it now and TlsOffer may go.
    Database db = Database.create(vertx, DatabaseSettings.of(pg.settings()));
    try {
      await(db.ping());
      assertThat(connectionsAwaitingStartup()).isEqualTo(1);
    } finally {
      await(db.close());
    }
  }

  @Test
  void aServerOfferingTlsIsAskedForItAsConfigured() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Thread answerS = new Thread(() -> {
        try (Socket s = server.accept()) {
          s.getInputStream().readNBytes(8);
          s.getOutputStream().write('S');
          s.getOutputStream().flush();
          s.getInputStream().read(); // until the client closes
        } catch (IOException ignored) {
          // the test's assertions tell what happened
        }
      });
      answerS.start();
      DatabaseSettings prefer = settingsFor(server.getLocalPort(), SslMode.PREFER);

      assertThat(TlsOffer.settle(prefer)).isSameAs(prefer);
      answerS.join(5_000);
    }
  }

  @Test
  void anUnreachableServerLeavesTheChoiceToEachConnection() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    DatabaseSettings prefer = settingsFor(closedPort, SslMode.PREFER);
    assertThat(TlsOffer.settle(prefer)).isSameAs(prefer);
  }

  @Test
  void everyOtherModeIsUsedAsConfiguredWithoutAsking() {
    for (SslMode mode : new SslMode[] {SslMode.DISABLE, SslMode.ALLOW, SslMode.REQUIRE, SslMode.VERIFY_FULL}) {
      // Port 1: asking would fail, and the settings would still come back; isSameAs shows nothing was built.
      DatabaseSettings configured = settingsFor(1, mode);
      assertThat(TlsOffer.settle(configured)).isSameAs(configured);
    }
  }

  private static DatabaseSettings settingsFor(int port, SslMode mode) {
    ConnectionSettings c = pg.settings();
    // verify-full is refused without a root certificate; TlsOffer does not read it.
    Optional<Path> rootCert = mode == SslMode.VERIFY_FULL ? Optional.of(Path.of("ca.pem")) : Optional.empty();
    return new DatabaseSettings(new ConnectionSettings("127.0.0.1", port, c.database(), c.user(), c.password()),
        DatabaseSettings.DEFAULT_MAX_POOL_SIZE, Duration.ofSeconds(2), mode, DatabaseSettings.DEFAULT_IDLE_TIMEOUT,
        rootCert);
  }

  /**
   * Server processes forked for a connection that has not yet sent its startup message: they still carry the
   * postmaster's command line, where a started session shows {@code postgres: user database ...}.
   */
  private static long connectionsAwaitingStartup() throws IOException {
    String postmaster = ServerProcesses.postmasterCommand(dir);
    return ServerProcesses.children(dir).values().stream().filter(postmaster::equals).count();
  }
}
