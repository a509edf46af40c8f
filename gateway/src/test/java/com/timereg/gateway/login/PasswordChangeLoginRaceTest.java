package com.timereg.gateway.login;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.password.BreachedPasswords;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.password.PasswordMetrics;
import com.timereg.gateway.password.PasswordPolicyChecker;
import com.timereg.gateway.password.PasswordVerifier;
import com.timereg.gateway.password.StrengthEstimator;
import com.timereg.gateway.password.VerificationPool;
import com.timereg.gateway.session.IssuedTokens;
import com.timereg.gateway.session.SessionMetrics;
import com.timereg.gateway.session.SessionService;
import com.timereg.gateway.session.SessionSettings;
import com.timereg.gateway.session.TokenKeys;
import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.throttle.BlockRegistry;
import com.timereg.gateway.throttle.InMemoryThrottleStore;
import com.timereg.gateway.throttle.ThrottleMetrics;
import com.timereg.gateway.throttle.ThrottlePolicy;
import com.timereg.gateway.throttle.ThrottleService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A password change must end every other session of the user, including one that a login with the old
 * password is still establishing while the change runs: that login read the old hash and verifies it
 * (PBKDF2 on the pool, or waiting in its queue) while the change revokes the sessions and stores the new hash.
 * Both interleavings are forced here, without sleeping: the login's verification held in its pool, and the
 * change's hash update held on a row lock.
 */
@ExtendWith(PostgresExtension.class)
class PasswordChangeLoginRaceTest {
  static final String OLD = "Original-Quartz-Meadow-11";
  static final String NEW = "Plum-Anchor-Velvet-42";

  private TestDatabase db;
  private Vertx vertx;
  private Database database;
  /** The logins' pool; the change has one of its own (in the gateway they share several threads). */
  private VerificationPool loginPool;
  private VerificationPool changePool;
  private SessionService sessions;
  private LoginService logins;
  private UserDirectory users;
  private ThrottleService throttle;
  private PasswordChangeService changes;
  private final CountDownLatch release = new CountDownLatch(1);
  private final InetAddress owner = address("192.0.2.1");
  private final InetAddress thief = address("198.51.100.7");
  private String login;
  private long userId;

  @BeforeEach
  void start(TestDatabase db) throws Exception {
    this.db = db;
    login = "race-" + UUID.randomUUID().toString().substring(0, 8);
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO customers (slug, name) VALUES ('race', 'Race Ltd') ON CONFLICT (slug) DO NOTHING");
      try (ResultSet r = s.executeQuery("INSERT INTO users (customer_id, login_name, password_hash) "
          + "SELECT id, '" + login + "', '" + new DjangoPbkdf2Hasher(1_000).hash(OLD) + "' FROM customers "
          + "WHERE slug = 'race' RETURNING id")) {
        r.next();
        userId = r.getLong(1);
      }
    }
    vertx = Vertx.vertx();
    database = Database.create(vertx, db.databaseSettings());
    loginPool = new VerificationPool(vertx, 1, 10, 1);
    changePool = new VerificationPool(vertx, 1, 10, 1);
    sessions = SessionService.create(vertx, database, SessionSettings.DEFAULTS, TokenKeys.ephemeral("ES256"),
        SessionMetrics.NOOP, Clock.systemUTC());
    Await.await(sessions.start());
    throttle = new ThrottleService(ThrottlePolicy.DEFAULTS, new ClientKeys(ClientKeyPolicy.DEFAULTS),
        new InMemoryThrottleStore(1_000), new InMemoryThrottleStore(1_000), new BlockRegistry(), Clock.systemUTC(),
        ThrottleMetrics.NOOP, Runnable::run);
    users = new UserDirectory(database.pool());
    DjangoPbkdf2Hasher hasher = new DjangoPbkdf2Hasher(1_000);
    logins = new LoginService(vertx, users, new PasswordVerifier(loginPool, hasher, PasswordMetrics.NONE),
        throttle, sessions, LoginMetrics.NONE);
    PasswordChangeMetrics quiet = PasswordChangeMetrics.NONE;
    changes = new PasswordChangeService(vertx, users, new PasswordVerifier(changePool, hasher, PasswordMetrics.NONE),
        new NewPasswordChecks(changePool, new PasswordPolicyChecker(new StrengthEstimator(64, List.of())),
            BreachedPasswords.UNAVAILABLE, true, quiet),
        throttle, sessions, quiet);
  }

  @AfterEach
  void stop() {
    release.countDown();
    Await.await(sessions.stop());
    Await.await(loginPool.close(1_000));
    Await.await(changePool.close(1_000));
    Await.await(database.close());
    Await.await(vertx.close());
  }

  @Test
  void loginVerifyingTheOldPasswordWhileItIsChangedGetsNoLastingSession() throws Exception {
    IssuedTokens mine = ownSession();
    // The thief's login has read the old hash; its verification waits in the pool.
    loginPool.submit(() -> {
      release.await();
      return null;
    });
    until(() -> loginPool.activeCount() == 1);
    Future<LoginResult> inFlight = logins.login(thief, login, OLD);
    until(() -> loginPool.queueDepth() == 1);

    assertThat(Await.await(changes.change(owner, mine.identity(), OLD, NEW))).isInstanceOf(PasswordChangeResult.Changed.class);
    release.countDown();

    assertNoLastingSession(Await.await(inFlight));
  }

  @Test
  void loginCompletingBetweenTheRevocationAndTheNewHashGetsNoLastingSession() throws Exception {
    IssuedTokens mine = ownSession();
    IssuedTokens other = ownSession();
    try (Connection lock = db.openJdbc()) {
      // Holds the change after it ended the other sessions, before its new hash is stored.
      lock.setAutoCommit(false);
      try (PreparedStatement s = lock.prepareStatement("SELECT 1 FROM users WHERE id = ? FOR NO KEY UPDATE")) {
        s.setLong(1, userId);
        s.executeQuery().close();
      }
      Future<PasswordChangeResult> change = changes.change(owner, mine.identity(), OLD, NEW);
      until(() -> sessions.verify(other.accessToken()).failed() && waitingOnALock());

      LoginResult late = Await.await(logins.login(thief, login, OLD));
      lock.rollback();
      assertThat(Await.await(change)).isInstanceOf(PasswordChangeResult.Changed.class);
      assertNoLastingSession(late);
    }
  }

  /**
   * A login of the user's on another device, verifying a hash below the configured iteration count, stores a new
   * hash of the same password while the change verifies the one it read: the change must still win, not answer
   * that the password "was changed meanwhile" (409) to the user who typed it right.
   */
  @Test
  void aLoginsRehashOfTheSamePasswordWhileItIsChangedDoesNotRefuseTheChange() throws Exception {
    IssuedTokens mine = ownSession();
    LoginService rehashing = new LoginService(vertx, users,
        new PasswordVerifier(loginPool, new DjangoPbkdf2Hasher(2_000), PasswordMetrics.NONE), throttle, sessions,
        LoginMetrics.NONE);
    // The change has read the stored hash; its verification waits in its pool.
    changePool.submit(() -> {
      release.await();
      return null;
    });
    until(() -> changePool.activeCount() == 1);
    Future<PasswordChangeResult> change = changes.change(owner, mine.identity(), OLD, NEW);
    until(() -> changePool.queueDepth() == 1);
    assertThat(Await.await(rehashing.login(owner, login, OLD))).isInstanceOf(LoginResult.Success.class);
    until(() -> storedHash().startsWith("pbkdf2_sha256$2000$"));
    release.countDown();

    assertThat(Await.await(change)).isInstanceOf(PasswordChangeResult.Changed.class);
    assertThat(Await.await(logins.login(owner, login, NEW))).isInstanceOf(LoginResult.Success.class);
    assertThat(Await.await(logins.login(owner, login, OLD))).isSameAs(LoginResult.INVALID);
  }

  private String storedHash() {
    try (Connection c = db.openJdbc();
        PreparedStatement s = c.prepareStatement("SELECT password_hash FROM users WHERE id = ?")) {
      s.setLong(1, userId);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getString(1);
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private IssuedTokens ownSession() {
    LoginResult r = Await.await(logins.login(owner, login, OLD));
    assertThat(r).isInstanceOf(LoginResult.Success.class);
    return ((LoginResult.Success) r).tokens();
  }

  /** Either refused, or a session that the change has ended: neither token works. */
  private void assertNoLastingSession(LoginResult late) {
    if (late instanceof LoginResult.Success success) {
      assertThat(sessions.verify(success.tokens().accessToken()).succeeded())
          .as("access token of a session opened with the replaced password").isFalse();
      assertThat(Await.await(sessions.refresh(success.tokens().refreshToken())).succeeded())
          .as("refresh token of a session opened with the replaced password").isFalse();
    }
  }

  private boolean waitingOnALock() {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            + "AND wait_event_type = 'Lock'")) {
      r.next();
      return r.getLong(1) > 0;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Polls a condition that other threads make true; bounded. */
  private static void until(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within 10 s");
      }
      Thread.sleep(5);
    }
  }

  private static InetAddress address(String ip) {
    try {
      return InetAddress.getByName(ip);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
