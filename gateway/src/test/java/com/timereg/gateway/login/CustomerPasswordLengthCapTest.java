package com.timereg.gateway.login;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.password.BreachedPasswords;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.password.PasswordPolicyChecker;
import com.timereg.gateway.password.PolicyCheck;
import com.timereg.gateway.password.StrengthEstimator;
import com.timereg.gateway.password.VerificationPool;
import com.timereg.gateway.session.AuthMethod;
import com.timereg.gateway.session.SessionIdentity;
import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A customer's max_password_length and min_password_length may be anything the schema allows (64 and up, 1 and
 * up), but no password over {@link LoginService#MAX_PASSWORD} UTF-16 units is accepted at all, and 512 code points
 * is what always fits in them. A customer's lengths above that are capped, so the person choosing a password is
 * told the limit that really applies, and a minimum above it does not make every change impossible.
 */
@ExtendWith(PostgresExtension.class)
class CustomerPasswordLengthCapTest {
  /** Half of LoginService.MAX_PASSWORD: every code point is at most two UTF-16 units. */
  static final int CAP = 512;

  @Test
  void astralPasswordWithinTheCustomersMaximumIsNotCalledLongerThan1024Characters(TestDatabase db) throws Exception {
    long userId = user(db, "astral", 8, 600);
    // 600 code points outside the BMP: 1,200 UTF-16 units.
    String password = randomCodePoints(600, 0x1F300, 0x1F5FF);
    PasswordChangeResult result = check(db, userId, "astral", password);

    // Told the limit that applies to it (it is 600 characters, not over 1024), like a policy refusal would say.
    assertThat(result).isEqualTo(
        new PasswordChangeResult.Malformed("Passwords longer than " + CAP + " characters are not accepted."));

    // And the policy, asked about a password within the 1,024 units, says the same limit.
    String fits = randomCodePoints(CAP + 1, 'a', 'z');
    PolicyCheck check = ((PasswordChangeResult.Checked) check(db, userId, "astral", fits)).check();
    assertThat(check.reasons()).extracting(PolicyCheck.Reason::kind).containsExactly(PolicyCheck.Kind.TOO_LONG);
    assertThat(check.messages()).containsExactly("longer than " + CAP + " characters");
  }

  @Test
  void minimumAboveWhatLoginAcceptsStillLetsAPasswordBeChosen(TestDatabase db) throws Exception {
    long userId = user(db, "longmin", 1100, 2000);
    String password = randomCodePoints(CAP, 'a', 'z');
    PasswordChangeResult result = check(db, userId, "longmin", password);

    assertThat(result).isInstanceOf(PasswordChangeResult.Checked.class);
    assertThat(((PasswordChangeResult.Checked) result).check().meetsPolicy()).isTrue();
  }

  private static String randomCodePoints(int count, int from, int to) {
    Random random = new Random(42);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      sb.appendCodePoint(from + random.nextInt(to - from + 1));
    }
    return sb.toString();
  }

  private static long user(TestDatabase db, String slug, int min, int max) throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO customers (slug, name, sso_mode, min_password_length, max_password_length) "
          + "VALUES ('" + slug + "', 'Customer " + slug + "', 'optional', " + min + ", " + max + ")");
      try (ResultSet r = s.executeQuery("INSERT INTO users (customer_id, login_name, password_hash) "
          + "SELECT id, 'user-" + slug + "', '" + new DjangoPbkdf2Hasher(1_000).hash("Original-Quartz-Meadow-11")
          + "' FROM customers WHERE slug = '" + slug
          + "' RETURNING id")) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  private static PasswordChangeResult check(TestDatabase db, long userId, String slug, String candidate)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    Database database = Database.create(vertx, db.databaseSettings());
    VerificationPool pool = new VerificationPool(vertx, 1, 4, 1);
    try {
      PasswordChangeMetrics metrics = PasswordChangeMetrics.NONE;
      PasswordChangeService service = new PasswordChangeService(vertx, new UserDirectory(database.pool()),
          null /* verifier: a check verifies nothing */,
          new NewPasswordChecks(pool, new PasswordPolicyChecker(new StrengthEstimator(64, List.of())),
              BreachedPasswords.UNAVAILABLE, true, metrics),
          null, null, metrics);
      SessionIdentity who = new SessionIdentity(userId, slug, "user-" + slug, AuthMethod.PASSWORD,
          UUID.randomUUID().toString());
      return Await.await(service.check(who, candidate));
    } finally {
      Await.await(pool.close(1_000));
      Await.await(database.close());
      Await.await(vertx.close());
    }
  }
}
