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
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A full verification pool sheds password changes and checks with its Retry-After, counting nothing. */
@ExtendWith(PostgresExtension.class)
class PasswordChangeBusyTest {
  static final String OLD = "Original-Quartz-Meadow-11";

  @Test
  void fullPoolAnswersBusyWithItsRetryAfterAndCountsNoFailure(TestDatabase db) throws Exception {
    long userId;
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO customers (slug, name) VALUES ('busy', 'Busy Ltd')");
      try (ResultSet r = s.executeQuery("INSERT INTO users (customer_id, login_name, password_hash) "
          + "SELECT id, 'busy-user', '" + new DjangoPbkdf2Hasher(1_000).hash(OLD) + "' FROM customers "
          + "WHERE slug = 'busy' RETURNING id")) {
        r.next();
        userId = r.getLong(1);
      }
    }
    Vertx vertx = Vertx.vertx();
    Database database = Database.create(vertx, db.databaseSettings());
    VerificationPool pool = new VerificationPool(vertx, 1, 1, 7);
    CountDownLatch release = new CountDownLatch(1);
    try {
      pool.submit(() -> {
        release.await();
        return null;
      });
      while (pool.activeCount() == 0) {
        Thread.onSpinWait();
      }
      pool.submit(() -> null);
      ThrottleService throttle = new ThrottleService(ThrottlePolicy.DEFAULTS, new ClientKeys(ClientKeyPolicy.DEFAULTS),
          new InMemoryThrottleStore(1_000), new InMemoryThrottleStore(1_000), new BlockRegistry(), Clock.systemUTC(),
          ThrottleMetrics.NOOP, Runnable::run);
      List<String> refusals = new ArrayList<>();
      PasswordChangeMetrics metrics = new PasswordChangeMetrics() {
        @Override
        public void refusal(String reason) {
          refusals.add(reason);
        }

        @Override
        public void estimate(long nanos) {}

        @Override
        public void changed() {
          refusals.add("changed");
        }
      };
      PasswordChangeService service = new PasswordChangeService(vertx, new UserDirectory(database.pool()),
          new PasswordVerifier(pool, new DjangoPbkdf2Hasher(1_000), PasswordMetrics.NONE),
          new NewPasswordChecks(pool, new PasswordPolicyChecker(new StrengthEstimator(64, List.of())),
              BreachedPasswords.UNAVAILABLE, true, metrics),
          throttle, null /* sessions: a busy pool stops the change before any session is touched */, metrics);
      SessionIdentity who = new SessionIdentity(userId, "busy", "busy-user", AuthMethod.PASSWORD,
          UUID.randomUUID().toString());
      InetAddress client = InetAddress.getByName("127.0.0.1");

      assertThat(Await.await(service.check(who, "Plum-Anchor-Velvet-42")))
          .isEqualTo(new PasswordChangeResult.Busy(7));
      assertThat(Await.await(service.change(client, who, OLD, "Plum-Anchor-Velvet-42")))
          .isEqualTo(new PasswordChangeResult.Busy(7));
      assertThat(throttle.explain(client).client().totalFailures()).isZero();
      assertThat(refusals).isEmpty();
    } finally {
      release.countDown();
      Await.await(pool.close(1_000));
      Await.await(database.close());
      Await.await(vertx.close());
    }
  }
}
