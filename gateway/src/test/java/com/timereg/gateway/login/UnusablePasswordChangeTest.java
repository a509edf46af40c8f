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
import com.timereg.gateway.session.AuthMethod;
import com.timereg.gateway.session.SessionIdentity;
import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.throttle.BlockRegistry;
import com.timereg.gateway.throttle.InMemoryThrottleStore;
import com.timereg.gateway.throttle.ThrottleMetrics;
import com.timereg.gateway.throttle.ThrottlePolicy;
import com.timereg.gateway.throttle.ThrottleService;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Django's {@code set_unusable_password()} stores "!" and 40 random characters: the account has no password
 * (Django's {@code has_usable_password()} is false), like one whose hash is empty. Signed in by Microsoft in an
 * {@code optional} customer, such a user is told there is no password to change, and trying is no password guess.
 */
@ExtendWith(PostgresExtension.class)
class UnusablePasswordChangeTest {
  static final String UNUSABLE = "!Xk2Jd8sLq0PzW4mN7vB1cR5tY9uE3aF6gH0iJ2kL";

  @Test
  void djangoUnusablePasswordHasNoPasswordToChangeAndCountsNoFailure(TestDatabase db) throws Exception {
    long userId;
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO customers (slug, name, sso_mode) VALUES ('unusable', 'Unusable Ltd', 'optional')");
      try (ResultSet r = s.executeQuery("INSERT INTO users (customer_id, login_name, password_hash) "
          + "SELECT id, 'sso-user', '" + UNUSABLE + "' FROM customers WHERE slug = 'unusable' RETURNING id")) {
        r.next();
        userId = r.getLong(1);
      }
    }
    Vertx vertx = Vertx.vertx();
    Database database = Database.create(vertx, db.databaseSettings());
    VerificationPool pool = new VerificationPool(vertx, 1, 4, 1);
    try {
      ThrottleService throttle = new ThrottleService(ThrottlePolicy.DEFAULTS, new ClientKeys(ClientKeyPolicy.DEFAULTS),
          new InMemoryThrottleStore(1_000), new InMemoryThrottleStore(1_000), new BlockRegistry(), Clock.systemUTC(),
          ThrottleMetrics.NOOP, Runnable::run);
      PasswordChangeMetrics metrics = PasswordChangeMetrics.NONE;
      UserDirectory users = new UserDirectory(database.pool());
      PasswordChangeService service = new PasswordChangeService(vertx, users,
          new PasswordVerifier(pool, new DjangoPbkdf2Hasher(1_000), PasswordMetrics.NONE),
          new NewPasswordChecks(pool, new PasswordPolicyChecker(new StrengthEstimator(64, List.of())),
              BreachedPasswords.UNAVAILABLE, true, metrics),
          throttle, null /* sessions: an account without a password is refused before any session is touched */,
          metrics);
      SessionIdentity who = new SessionIdentity(userId, "unusable", "sso-user", AuthMethod.SSO,
          UUID.randomUUID().toString());
      InetAddress client = InetAddress.getByName("127.0.0.1");

      assertThat(Await.await(service.change(client, who, "whatever-I-type", "Plum-Anchor-Velvet-42")))
          .isInstanceOf(PasswordChangeResult.PasswordNotUsed.class);
      assertThat(throttle.explain(client).client().totalFailures()).isZero();
      assertThat(Await.await(users.findById(userId)).orElseThrow().hasPassword()).isFalse();
    } finally {
      Await.await(pool.close(1_000));
      Await.await(database.close());
      Await.await(vertx.close());
    }
  }
}
