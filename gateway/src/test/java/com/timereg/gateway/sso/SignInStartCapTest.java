package com.timereg.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.store.ConnectionSettings;
import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.DatabaseSettings;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.TcpRelay;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code sso.max-pending-sign-ins} counts sign-ins whose row was written: a start that fails on its way, before or
 * while writing its row, takes no place, so failures (however many) never make the cap refuse everyone's start.
 * Real PostgreSQL and provider (mock-oauth2-server); the start is the gateway's own {@link SignInStart}.
 */
@ExtendWith(PostgresExtension.class)
class SignInStartCapTest {
  static final int CAP = 3;
  static final String NAME = "carla@capco.example";
  static MockOAuth2Server provider;
  static Vertx vertx;
  static TestDatabase db;
  static Database database;

  /** A clock that fails while told to: whatever may throw between the provider's answer and the row's write. */
  static final class FailingClock extends Clock {
    volatile boolean failing;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      if (failing) {
        throw new IllegalStateException("the clock failed");
      }
      return Instant.now();
    }
  }

  @BeforeAll
  static void start(TestDatabase testDatabase) throws Exception {
    db = testDatabase;
    provider = new MockOAuth2Server();
    provider.start();
    vertx = Vertx.vertx();
    database = Database.create(vertx, db.databaseSettings());
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO customers (slug, name, sso_mode, entra_tenant_id, sso_client_id, sso_allowed_email_domains) "
          + "VALUES ('capco', 'capco', 'optional', 'tenant-cap', 'client-cap', '{capco.example}')");
      s.execute("INSERT INTO users (customer_id, login_name, email) SELECT id, '" + NAME + "', '" + NAME
          + "' FROM customers WHERE slug = 'capco'");
    }
  }

  @AfterAll
  static void stop() {
    provider.shutdown();
    Await.await(database.close());
    Await.await(vertx.close());
  }

  private SignInStart starter(SsoRequests requests, Clock clock) {
    SsoSettings d = SsoSettings.DEFAULTS;
    // Generous discovery timeout: the provider makes a tenant's key on first use, slow on a busy machine.
    SsoSettings settings = new SsoSettings(provider.url("/").toString() + "{tenant}", Optional.empty(), true,
        Duration.ofSeconds(60), d.tokenTimeout(), d.requestLifetime(), d.clockSkew(), d.providerRefresh(), 1000, CAP);
    SsoService.Outcomes outcomes = new SsoService.Outcomes(new SsoAudit(database.pool(), "node-1", Clock.systemUTC()),
        SsoMetrics.NONE, client -> {}, (client, name) -> {});
    return new SignInStart(settings, new SsoDirectory(database.pool()), requests,
        new Providers(vertx, settings, new SecretReferences(vertx, Map.<String, String>of()::get,
            com.timereg.gateway.tls.KeyFileMode::secretFileRefusal), Clock.systemUTC()),
        new StartLimiter(1000, StartLimiter.DEFAULT_MAX_CLIENTS, new ClientKeys(ClientKeyPolicy.DEFAULTS),
            Clock.systemUTC()),
        outcomes, () -> Optional.of("https://localhost:8443/sso/callback"), clock);
  }

  private static SsoService.StartResult start(SignInStart starter) {
    return Await.await(starter.start(InetAddress.getLoopbackAddress(), NAME, "/", null));
  }

  @Test
  void startsThatFailBeforeTheirRowIsWrittenTakeNoPlaceUnderTheCap() {
    FailingClock clock = new FailingClock();
    SignInStart starter = starter(new SsoRequests(database.pool()), clock);
    clock.failing = true;
    for (int i = 1; i <= CAP + 2; i++) {
      assertThat(start(starter)).as("start %d with the clock failing", i)
          .isEqualTo(new SsoService.StartResult.Refused(SsoRefusal.UNAVAILABLE));
    }
    clock.failing = false;
    for (int i = 1; i <= CAP; i++) {
      assertThat(start(starter)).as("start %d once the failures are over", i)
          .isInstanceOf(SsoService.StartResult.Redirect.class);
    }
    assertThat(start(starter)).as("a start beyond the cap").isInstanceOf(SsoService.StartResult.Busy.class);
  }

  @Test
  void startsWhoseRowCouldNotBeWrittenGiveTheirPlaceBack() {
    TcpRelay relay = Await.await(TcpRelay.start(vertx, db.settings().host(), db.settings().port()));
    ConnectionSettings s = db.settings();
    // Only the writes of pending sign-ins go through the relay; the name's lookup and the audit trail do not.
    Database relayed = Database.create(vertx, DatabaseSettings.of(
        new ConnectionSettings("127.0.0.1", relay.port(), s.database(), s.user(), s.password())));
    try {
      SignInStart starter = starter(new SsoRequests(relayed.pool()), new FailingClock());
      relay.refuseNewConnections(true);
      for (int i = 1; i <= CAP + 2; i++) {
        assertThat(start(starter)).as("start %d with the write refused", i)
            .isEqualTo(new SsoService.StartResult.Refused(SsoRefusal.UNAVAILABLE));
      }
      relay.refuseNewConnections(false);
      for (int i = 1; i <= CAP; i++) {
        assertThat(start(starter)).as("start %d once the database takes writes again", i)
            .isInstanceOf(SsoService.StartResult.Redirect.class);
      }
      assertThat(start(starter)).as("a start beyond the cap").isInstanceOf(SsoService.StartResult.Busy.class);
    } finally {
      Await.await(relayed.close());
    }
  }
}
