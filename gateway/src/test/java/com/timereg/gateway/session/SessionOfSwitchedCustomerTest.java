package com.timereg.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A customer that moves to {@code sso_mode = required} refuses passwords from then on (docs/sso.md):
 * a session opened with a password before the switch must not be refreshed on to its absolute timeout. And the
 * mirror: one that turns Microsoft sign-in off ({@code disabled}) ends the sessions Microsoft vouched for.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class SessionOfSwitchedCustomerTest {
  private Database database;
  private SessionService sessions;

  @BeforeEach
  void start(Vertx vertx, TestDatabase db, VertxTestContext ctx) {
    database = Database.create(vertx, db.databaseSettings());
    sessions = SessionService.create(vertx, database, SessionSettings.DEFAULTS, TokenKeys.ephemeral("ES256"),
        new MicrometerSessionMetrics(new SimpleMeterRegistry()), ManualClock.startingNow());
    sessions.start().onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    sessions.stop().compose(v -> database.close()).onComplete(ctx.succeedingThenComplete());
  }

  /** A user of a new customer whose Microsoft sign-in is optional; the customer's slug and the user's id. */
  private Future<long[]> optionalCustomerUser() {
    String slug = "switch-" + UUID.randomUUID().toString().substring(0, 8);
    return database.pool().preparedQuery("""
            WITH c AS (INSERT INTO customers (slug, name, sso_mode) VALUES ($1, $1, 'optional') RETURNING id)
            INSERT INTO users (customer_id, login_name, password_hash) SELECT id, $1 || '@example.com', 'x' FROM c
            RETURNING id, customer_id""")
        .execute(Tuple.of(slug))
        .map(rows -> new long[] {rows.iterator().next().getLong(0), rows.iterator().next().getLong(1)});
  }

  private Future<Void> requireSso(long customerId) {
    return ssoMode(customerId, "required");
  }

  private Future<Void> ssoMode(long customerId, String mode) {
    return database.pool().preparedQuery("UPDATE customers SET sso_mode = $2 WHERE id = $1")
        .execute(Tuple.of(customerId, mode)).mapEmpty();
  }

  @Test
  void aPasswordSessionIsNotRefreshedOnceItsCustomerRequiresMicrosoftSignIn(VertxTestContext ctx) {
    optionalCustomerUser().compose(ids -> Future.all(
            sessions.issue(ids[0], "c", "u", AuthMethod.PASSWORD), sessions.issue(ids[0], "c", "u", AuthMethod.SSO))
        .compose(issued -> sessions.refresh(issued.<IssuedTokens>resultAt(0).refreshToken())
            .compose(whileOptional -> {
              ctx.verify(() -> assertThat(whileOptional.succeeded()).as("passwords still accepted").isTrue());
              return requireSso(ids[1]).compose(v -> Future.all(sessions.refresh(whileOptional.tokens().refreshToken()),
                  sessions.refresh(issued.<IssuedTokens>resultAt(1).refreshToken())));
            })))
        .onComplete(ctx.succeeding(after -> ctx.verify(() -> {
          RefreshResult password = after.resultAt(0);
          RefreshResult sso = after.resultAt(1);
          assertThat(password.succeeded()).as("the password session is refreshed after the switch").isFalse();
          assertThat(password.failure()).isEqualTo(RefreshFailure.REVOKED);
          assertThat(sso.succeeded()).as("a Microsoft sign-in's session lives on").isTrue();
          ctx.completeNow();
        })));
  }

  @Test
  void aMicrosoftSessionIsNotRefreshedOnceItsCustomerTurnsMicrosoftSignInOff(VertxTestContext ctx) {
    optionalCustomerUser().compose(ids -> Future.all(
            sessions.issue(ids[0], "c", "u", AuthMethod.PASSWORD), sessions.issue(ids[0], "c", "u", AuthMethod.SSO))
        .compose(issued -> sessions.refresh(issued.<IssuedTokens>resultAt(1).refreshToken())
            .compose(whileOptional -> {
              ctx.verify(() -> assertThat(whileOptional.succeeded()).as("Microsoft sign-in still on").isTrue());
              return ssoMode(ids[1], "disabled").compose(v -> Future.all(
                  sessions.refresh(issued.<IssuedTokens>resultAt(0).refreshToken()),
                  sessions.refresh(whileOptional.tokens().refreshToken())));
            })))
        .onComplete(ctx.succeeding(after -> ctx.verify(() -> {
          RefreshResult password = after.resultAt(0);
          RefreshResult sso = after.resultAt(1);
          assertThat(sso.succeeded()).as("the Microsoft session is refreshed after the switch").isFalse();
          assertThat(sso.failure()).isEqualTo(RefreshFailure.REVOKED);
          assertThat(password.succeeded()).as("a password login's session lives on").isTrue();
          ctx.completeNow();
        })));
  }

  /**
   * A refresh refused for the switch ends the session, rather than only refusing it while the switch lasts: a
   * customer that tries "required" for a day and goes back to "optional" must not bring back, up to their absolute
   * timeout, the password sessions it meant to end (their refresh tokens may sit in a stolen cookie jar). Its
   * access tokens are refused from then on too.
   */
  @Test
  void aPasswordSessionRefusedForTheSwitchStaysEndedWhenTheCustomerSwitchesBack(VertxTestContext ctx) {
    optionalCustomerUser().compose(ids -> sessions.issue(ids[0], "c", "u", AuthMethod.PASSWORD)
        .compose(issued -> requireSso(ids[1])
            .compose(v -> sessions.refresh(issued.refreshToken()))
            .compose(whileRequired -> {
              ctx.verify(() -> {
                assertThat(whileRequired.failure()).isEqualTo(RefreshFailure.REVOKED);
                assertThat(AccessTokensTest.rejection(sessions.verify(issued.accessToken())))
                    .as("the ended session's access token").isEqualTo(TokenRejection.REVOKED);
              });
              return ssoMode(ids[1], "optional").compose(v -> sessions.refresh(issued.refreshToken()));
            })
            .compose(afterSwitchingBack -> database.pool()
                .preparedQuery("SELECT revoked_reason FROM sessions WHERE id = $1::uuid")
                .execute(Tuple.of(issued.identity().sessionId()))
                .map(rows -> {
                  ctx.verify(() -> assertThat(afterSwitchingBack.succeeded())
                      .as("refreshed once the customer allows passwords again").isFalse());
                  return rows.iterator().next().getString(0);
                }))))
        .onComplete(ctx.succeeding(reason -> ctx.verify(() -> {
          assertThat(reason).isEqualTo("sign-in-method-refused");
          ctx.completeNow();
        })));
  }

  @Test
  void aMicrosoftSessionRefusedForTheSwitchStaysEndedWhenTheCustomerSwitchesBack(VertxTestContext ctx) {
    optionalCustomerUser().compose(ids -> sessions.issue(ids[0], "c", "u", AuthMethod.SSO)
        .compose(issued -> ssoMode(ids[1], "disabled")
            .compose(v -> sessions.refresh(issued.refreshToken()))
            .compose(whileDisabled -> {
              ctx.verify(() -> assertThat(whileDisabled.failure()).isEqualTo(RefreshFailure.REVOKED));
              return ssoMode(ids[1], "optional").compose(v -> sessions.refresh(issued.refreshToken()));
            })))
        .onComplete(ctx.succeeding(afterSwitchingBack -> ctx.verify(() -> {
          assertThat(afterSwitchingBack.succeeded()).as("refreshed once Microsoft sign-in is on again").isFalse();
          ctx.completeNow();
        })));
  }
}
