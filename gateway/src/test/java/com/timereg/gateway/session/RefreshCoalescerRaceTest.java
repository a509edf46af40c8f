package com.timereg.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.ManualClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.vertx.junit5.VertxExtension;

/**
 * The refresh grace across event loops: a page's parallel requests with one refresh cookie land on different
 * event loops of one node, so {@link RefreshCoalescer} is called from several threads at once. A request that
 * looked for a remembered exchange just before the running one finished, and took the in-flight place just
 * after it left it, must still get that exchange's tokens, not exchange the used token again (reuse: the
 * honest user's session revoked).
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class RefreshCoalescerRaceTest {
  // The window is a few instructions wide; it shows about once in a hundred rounds on a loaded two-core machine.
  private static final int ROUNDS = 600;

  private Database database;
  private ManualClock clock;
  private SessionService sessions;

  @BeforeEach
  void start(Vertx vertx, TestDatabase db) throws Exception {
    database = Database.create(vertx, db.databaseSettings());
    clock = ManualClock.startingNow();
    sessions = SessionService.create(vertx, database, AbsoluteTimeoutTest.SETTINGS, TokenKeys.ephemeral("ES256"),
        SessionMetrics.NOOP, clock);
    await(sessions.start());
  }

  @AfterEach
  void stop() throws Exception {
    await(sessions.stop().compose(v -> database.close()));
  }

  @Test
  void aRequestRacingTheEndOfTheSharedExchangeGetsItsTokensNotAReuseAlarm() throws Exception {
    RefreshCoalescer coalescer = new RefreshCoalescer(sessions, new RevocationList(), AbsoluteTimeoutTest.SETTINGS, clock);
    TestUsers.User user = await(TestUsers.create(database.pool(), "race"));
    CyclicBarrier start = new CyclicBarrier(2);
    for (int round = 0; round < ROUNDS; round++) {
      String refreshToken = await(sessions.issue(user.id(), TestUsers.CUSTOMER, user.loginName(), AuthMethod.PASSWORD))
          .refreshToken();
      // The other event loop: presents the same cookie again and again while the first exchange runs and ends.
      AtomicBoolean firstDone = new AtomicBoolean();
      Set<Future<RefreshResult>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      Thread other = new Thread(() -> {
        try {
          start.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        int after = 0;
        while (after < 200) {
          seen.add(coalescer.refresh(refreshToken));
          if (firstDone.get()) {
            after++;
          }
        }
      });
      other.start();
      start.await(10, TimeUnit.SECONDS);
      Future<RefreshResult> first = coalescer.refresh(refreshToken);
      RefreshResult won = await(first);
      firstDone.set(true);
      other.join(10_000);
      assertThat(won.succeeded()).isTrue();
      List<Future<RefreshResult>> others = new ArrayList<>(seen);
      for (Future<RefreshResult> f : others) {
        RefreshResult r = await(f);
        assertThat(r.succeeded()).as("round %d: a request of the same page, %s", round, r.failure()).isTrue();
        assertThat(r.tokens().refreshToken()).as("round %d: the shared exchange's tokens", round)
            .isEqualTo(won.tokens().refreshToken());
      }
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
