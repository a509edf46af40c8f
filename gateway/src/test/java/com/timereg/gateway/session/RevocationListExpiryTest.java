package com.timereg.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.ManualClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The revocation list holds a revoked session only for its window (access-token lifetime plus twice the skew
 * tolerance): many logouts must not pile up in memory until the next resync, however long its interval is.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class RevocationListExpiryTest {
  /** Defaults, but with a resync interval far longer than the revocation window (and a 1 s grace, so housekeeping runs every second). */
  private static final SessionSettings SETTINGS = new SessionSettings(Duration.ofMinutes(5), Duration.ofMinutes(30),
      Duration.ofHours(12), Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofHours(1),
      Duration.ofDays(7), Duration.ofHours(1));
  private static final int LOGOUTS = 50;

  private final ManualClock clock = ManualClock.startingNow();
  private final AtomicReference<IntSupplier> listSize = new AtomicReference<>();
  private Vertx vertx;
  private Database database;
  private SessionService sessions;

  @BeforeEach
  void start(Vertx vertx, TestDatabase db, VertxTestContext ctx) {
    this.vertx = vertx;
    database = Database.create(vertx, db.databaseSettings());
    SessionMetrics metrics = new SessionMetrics() {
      @Override
      public void bindRevocationListSize(IntSupplier size) {
        listSize.set(size);
      }
    };
    sessions = SessionService.create(vertx, database, SETTINGS, TokenKeys.ephemeral("ES256"), metrics, clock);
    sessions.start().onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    sessions.stop().compose(v -> database.close()).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void revokedSessionsLeaveTheListOnceTheirWindowHasPassed(VertxTestContext ctx) {
    TestUsers.create(database.pool(), "leaver").compose(user -> {
      List<Future<Boolean>> logouts = new ArrayList<>();
      for (int i = 0; i < LOGOUTS; i++) {
        logouts.add(sessions.issue(user.id(), TestUsers.CUSTOMER, user.loginName(), AuthMethod.PASSWORD)
            .compose(t -> sessions.revokeSession(t.identity().sessionId(), RevocationReason.LOGOUT)));
      }
      return Future.all(logouts);
    }).compose(v -> {
      assertThat(listSize.get().getAsInt()).isEqualTo(LOGOUTS);
      // Past the window (5 min + 2 x 30 s): every access token of these sessions has expired. Advanced again at
      // every look: this node's own notifications of these logouts may still arrive, and each one remembers its
      // session for a window from the time it arrives.
      return Polling.until(vertx, () -> {
        clock.advance(Duration.ofMinutes(7));
        return Future.succeededFuture(listSize.get().getAsInt() == 0);
      });
    }).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(listSize.get().getAsInt()).isZero();
      ctx.completeNow();
    })));
  }
}
