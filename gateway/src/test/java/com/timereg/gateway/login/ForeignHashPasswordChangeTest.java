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
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Django user whose hash another Django hasher made (pbkdf2_sha1 from an old site, argon2) cannot sign in here
 * with a password, only with Microsoft in an {@code optional} customer. No password can match that hash here, so
 * what such a user types as the current password is no guess: telling them it is wrong (when it is right) and
 * counting it towards their address's block (their office's, behind one NAT) was wrong on both counts.
 */
@ExtendWith(PostgresExtension.class)
class ForeignHashPasswordChangeTest {
  static final String PASSWORD = "Right-Password-Of-Mine-7";

  static List<String> foreignHashes() throws Exception {
    // As Django's PBKDF2SHA1PasswordHasher stores it: the right password for this very hash.
    byte[] key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA1")
        .generateSecret(new PBEKeySpec(PASSWORD.toCharArray(), "saltsalt".getBytes(StandardCharsets.UTF_8), 1_000, 160))
        .getEncoded();
    return List.of("pbkdf2_sha1$1000$saltsalt$" + Base64.getEncoder().encodeToString(key),
        "argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdHNhbHQ$YXJnb24yLWtleS1ieXRlcy1ub3QtcmVhbGx5");
  }

  @ParameterizedTest
  @MethodSource("foreignHashes")
  void aHashNoPasswordCanMatchHereIsRefusedClearlyAndCountsNoFailure(String hash, TestDatabase db) throws Exception {
    String slug = "foreign-" + Math.abs(hash.hashCode());
    long userId;
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO customers (slug, name, sso_mode) VALUES ('" + slug + "', 'Foreign', 'optional')");
      try (PreparedStatement p = c.prepareStatement("INSERT INTO users (customer_id, login_name, password_hash) "
          + "SELECT id, ?, ? FROM customers WHERE slug = ? RETURNING id")) {
        p.setString(1, slug + "-user");
        p.setString(2, hash);
        p.setString(3, slug);
        try (ResultSet r = p.executeQuery()) {
          r.next();
          userId = r.getLong(1);
        }
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
      PasswordChangeService service = new PasswordChangeService(vertx, new UserDirectory(database.pool()),
          new PasswordVerifier(pool, new DjangoPbkdf2Hasher(1_000), PasswordMetrics.NONE),
          new NewPasswordChecks(pool, new PasswordPolicyChecker(new StrengthEstimator(64, List.of())),
              BreachedPasswords.UNAVAILABLE, true, metrics),
          throttle, null /* sessions: refused before any session is touched */, metrics);
      SessionIdentity who = new SessionIdentity(userId, slug, slug + "-user", AuthMethod.SSO,
          UUID.randomUUID().toString());
      InetAddress client = InetAddress.getByName("127.0.0.1");

      PasswordChangeResult changed = Await.await(service.change(client, who, PASSWORD, "Plum-Anchor-Velvet-42"));
      PasswordChangeResult checked = Await.await(service.check(who, "Plum-Anchor-Velvet-42"));

      assertThat(changed).isInstanceOf(PasswordChangeResult.PasswordNotUsed.class);
      assertThat(((PasswordChangeResult.PasswordNotUsed) changed).message()).contains("cannot be changed here");
      assertThat(checked).isInstanceOf(PasswordChangeResult.PasswordNotUsed.class);
      assertThat(throttle.explain(client).client().totalFailures()).isZero();
    } finally {
      Await.await(pool.close(1_000));
      Await.await(database.close());
      Await.await(vertx.close());
    }
  }
}
