package com.timereg.gateway.login;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.password.PasswordMetrics;
import com.timereg.gateway.password.PasswordVerifier;
import com.timereg.gateway.password.VerificationPool;
import com.timereg.gateway.session.SessionMetrics;
import com.timereg.gateway.session.SessionService;
import com.timereg.gateway.session.SessionSettings;
import com.timereg.gateway.session.TokenKeys;
import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.TestAccounts;
import com.timereg.gateway.throttle.BlockRegistry;
import com.timereg.gateway.throttle.InMemoryThrottleStore;
import com.timereg.gateway.throttle.ThrottleMetrics;
import com.timereg.gateway.throttle.ThrottlePolicy;
import com.timereg.gateway.throttle.ThrottleService;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.sql.Connection;
import java.time.Clock;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The login name as typed is NFKC-normalised before the lookup, as Django's login form does
 * ({@code UsernameField.to_python}), and Django stores names that way ({@code normalize_username}): the same
 * person typing the same name in another Unicode form (decomposed accents from a Mac, a ligature, full-width
 * letters from an East Asian input method) signs in here as on the Django site sharing the user table.
 */
@ExtendWith(PostgresExtension.class)
class LoginNameNormalisationTest {
  private static final String PASSWORD = "Harbour-Lantern-Quiet-17";

  private Vertx vertx;
  private Database database;
  private VerificationPool pool;
  private SessionService sessions;
  private LoginService logins;
  private String suffix;

  @BeforeEach
  void start(TestDatabase db) throws Exception {
    suffix = UUID.randomUUID().toString().substring(0, 8);
    try (Connection c = db.openJdbc()) {
      // As Django stores them: NFKC (precomposed é, plain letters).
      TestAccounts.createUser(c, "norm", "jos\u00e9-" + suffix + "@example.com", PASSWORD);
      TestAccounts.createUser(c, "norm", "fiona-" + suffix + "@example.com", PASSWORD);
    }
    vertx = Vertx.vertx();
    database = Database.create(vertx, db.databaseSettings());
    pool = new VerificationPool(vertx, 1, 10, 1);
    sessions = SessionService.create(vertx, database, SessionSettings.DEFAULTS, TokenKeys.ephemeral("ES256"),
        SessionMetrics.NOOP, Clock.systemUTC());
    Await.await(sessions.start());
    ThrottleService throttle = new ThrottleService(ThrottlePolicy.DEFAULTS, new ClientKeys(ClientKeyPolicy.DEFAULTS),
        new InMemoryThrottleStore(1_000), new InMemoryThrottleStore(1_000), new BlockRegistry(), Clock.systemUTC(),
        ThrottleMetrics.NOOP, Runnable::run);
    logins = new LoginService(vertx, new UserDirectory(database.pool()),
        new PasswordVerifier(pool, new DjangoPbkdf2Hasher(TestAccounts.ITERATIONS), PasswordMetrics.NONE), throttle,
        sessions, LoginMetrics.NONE);
  }

  @AfterEach
  void stop() {
    Await.await(sessions.stop());
    Await.await(pool.close(1_000));
    Await.await(database.close());
    Await.await(vertx.close());
  }

  @Test
  void nameTypedInAnotherUnicodeFormSignsInAsDjangoWouldLetIt() {
    InetAddress client = InetAddress.getLoopbackAddress();

    assertThat(Await.await(logins.login(client, "jos\u00e9-" + suffix + "@example.com", PASSWORD)))
        .as("as stored").isInstanceOf(LoginResult.Success.class);
    assertThat(Await.await(logins.login(client, "jose\u0301-" + suffix + "@example.com", PASSWORD)))
        .as("decomposed accent (NFD)").isInstanceOf(LoginResult.Success.class);
    assertThat(Await.await(logins.login(client, "\ufb01ona-" + suffix + "@example.com", PASSWORD)))
        .as("the fi ligature").isInstanceOf(LoginResult.Success.class);
    assertThat(Await.await(logins.login(client, "\uff46\uff49\uff4f\uff4e\uff41-" + suffix + "@example.com", PASSWORD)))
        .as("full-width letters").isInstanceOf(LoginResult.Success.class);
  }
}
