package com.timereg.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.ManualClock;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * "A session is over this long after sign-in, however active" (SessionSettings.absoluteTimeout): that holds
 * for its access tokens too, not only for its refresh tokens.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class AbsoluteTimeoutTest {
  /** Defaults but for a 40-minute absolute timeout, so two refreshes reach its end. */
  static final SessionSettings SETTINGS = new SessionSettings(Duration.ofMinutes(5), Duration.ofMinutes(30),
      Duration.ofMinutes(40), Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMinutes(1),
      Duration.ofDays(7), Duration.ofHours(1));

  private Database database;
  private ManualClock clock;
  private SessionService sessions;

  @BeforeEach
  void start(Vertx vertx, TestDatabase db, VertxTestContext ctx) {
    database = Database.create(vertx, db.databaseSettings());
    clock = ManualClock.startingNow();
    sessions = SessionService.create(vertx, database, SETTINGS, TokenKeys.ephemeral("ES256"), SessionMetrics.NOOP, clock);
    sessions.start().onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    sessions.stop().compose(v -> database.close()).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anAccessTokenFromARefreshShortlyBeforeTheAbsoluteTimeoutEndsWithTheSession(VertxTestContext ctx) {
    TestUsers.create(database.pool(), "ida")
        .compose(u -> sessions.issue(u.id(), TestUsers.CUSTOMER, u.loginName(), AuthMethod.PASSWORD))
        .compose(first -> {
          Instant absoluteEnd = clock.instant().plus(SETTINGS.absoluteTimeout());
          clock.advance(Duration.ofMinutes(25));
          return sessions.refresh(first.refreshToken()).compose(r -> {
            clock.advance(Duration.ofMinutes(13)); // 38 minutes after sign-in, 13 idle: still alive
            return sessions.refresh(r.tokens().refreshToken());
          }).map(last -> {
            ctx.verify(() -> {
              assertThat(last.succeeded()).isTrue();
              assertThat(last.tokens().refreshExpiresAt()).isEqualTo(absoluteEnd);
              assertThat(last.tokens().accessExpiresAt()).as("the access token's expiry").isBeforeOrEqualTo(absoluteEnd);
              clock.advance(Duration.ofMinutes(3)); // 41 minutes after sign-in
              assertThat(sessions.verify(last.tokens().accessToken()).succeeded())
                  .as("an access token of a session past its absolute timeout").isFalse();
            });
            return last;
          });
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void theRefreshGraceHandsOutNoSessionPastItsAbsoluteTimeout(VertxTestContext ctx) {
    // The browser's path: requests with one refresh cookie share an exchange, and for the grace get its result.
    RefreshCoalescer coalescer = new RefreshCoalescer(sessions, new RevocationList(), SETTINGS, clock);
    TestUsers.create(database.pool(), "ivo")
        .compose(u -> sessions.issue(u.id(), TestUsers.CUSTOMER, u.loginName(), AuthMethod.PASSWORD))
        .compose(first -> {
          Instant absoluteEnd = clock.instant().plus(SETTINGS.absoluteTimeout());
          clock.advance(Duration.ofMinutes(25));
          return sessions.refresh(first.refreshToken()).compose(r -> {
            // Three seconds before the absolute end: the new access token is cut to end with the session.
            clock.advance(Duration.ofMinutes(15).minusSeconds(3));
            return coalescer.refresh(r.tokens().refreshToken()).compose(last -> {
              ctx.verify(() -> assertThat(last.tokens().accessExpiresAt()).isEqualTo(absoluteEnd));
              // Still within the grace of that exchange, but past the session's end.
              clock.advance(Duration.ofSeconds(5));
              return coalescer.refresh(r.tokens().refreshToken());
            });
          });
        })
        .onComplete(ctx.succeeding(replay -> ctx.verify(() -> {
          assertThat(replay.succeeded()).as("tokens of a session past its absolute timeout handed out again").isFalse();
          assertThat(replay.failure()).isEqualTo(RefreshFailure.EXPIRED);
          ctx.completeNow();
        })));
  }
}
