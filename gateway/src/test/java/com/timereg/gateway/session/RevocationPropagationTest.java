package com.timereg.gateway.session;

import com.timereg.gateway.testsupport.ManualClock;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Several gateway nodes on one database, each with its own pool and LISTEN connection. The
 * periodic resync is set to an hour, so only notifications and (re)subscription can propagate.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class RevocationPropagationTest {
  private static final SessionSettings SETTINGS = new SessionSettings(
      SessionSettings.DEFAULT_ACCESS_TOKEN_LIFETIME, SessionSettings.DEFAULT_IDLE_TIMEOUT,
      SessionSettings.DEFAULT_ABSOLUTE_TIMEOUT, SessionSettings.DEFAULT_CLOCK_SKEW_TOLERANCE,
      SessionSettings.DEFAULT_REFRESH_GRACE, Duration.ofHours(1), SessionSettings.DEFAULT_RETENTION,
      SessionSettings.DEFAULT_PURGE_INTERVAL);

  private final List<Node> nodes = new ArrayList<>();
  private final TokenKeys keys = TokenKeys.ephemeral("ES256");
  private final ManualClock clock = ManualClock.startingNow();
  private Vertx vertx;
  private TestDatabase db;
  private Node a;
  private Node b;

  private record Node(Database database, SessionService sessions) {}

  @BeforeEach
  void startTwoNodes(Vertx vertx, TestDatabase db, VertxTestContext ctx) {
    this.vertx = vertx;
    this.db = db;
    Future.all(startNode(), startNode()).onComplete(ctx.succeeding(all -> {
      a = all.resultAt(0);
      b = all.resultAt(1);
      ctx.completeNow();
    }));
  }

  private Future<Node> startNode() {
    Database database = Database.create(vertx, db.databaseSettings());
    SessionService sessions = SessionService.create(vertx, database, SETTINGS, keys, SessionMetrics.NOOP, clock);
    Node node = new Node(database, sessions);
    nodes.add(node);
    return sessions.start().map(node);
  }

  @AfterEach
  void stopNodes(VertxTestContext ctx) {
    Future.all(nodes.stream().map(n -> n.sessions.stop().compose(v -> n.database.close())).toList())
        .onComplete(ctx.succeedingThenComplete());
  }

  private Future<IssuedTokens> loginOn(Node node) {
    return TestUsers.create(node.database.pool(), "carol")
        .compose(u -> node.sessions.issue(u.id(), TestUsers.CUSTOMER, u.loginName(), AuthMethod.PASSWORD));
  }

  private Future<Void> refusedOn(Node node, String accessToken) {
    return Polling.until(vertx, () -> Future.succeededFuture(node.sessions.verify(accessToken).failed()))
        .map(v -> {
          assertThat(AccessTokensTest.rejection(node.sessions.verify(accessToken))).isEqualTo(TokenRejection.REVOKED);
          return null;
        });
  }

  @Test
  void logoutOnOneNodeIsEnforcedOnTheOtherWithinTheBound(VertxTestContext ctx) {
    loginOn(a).compose(t -> {
      ctx.verify(() -> assertThat(b.sessions.verify(t.accessToken()).succeeded()).isTrue());
      return a.sessions.revokeSession(t.identity().sessionId(), RevocationReason.LOGOUT)
          .compose(revoked -> refusedOn(b, t.accessToken()));
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void passwordChangeOnOneNodeRevokesEverySessionOfTheUserOnTheOther(VertxTestContext ctx) {
    TestUsers.create(a.database.pool(), "dave").compose(u -> Future.all(
            a.sessions.issue(u.id(), TestUsers.CUSTOMER, u.loginName(), AuthMethod.PASSWORD),
            b.sessions.issue(u.id(), TestUsers.CUSTOMER, u.loginName(), AuthMethod.SSO),
            b.sessions.issue(u.id(), TestUsers.CUSTOMER, u.loginName(), AuthMethod.PASSWORD))
        .compose(all -> a.sessions.revokeAllForUser(u.id(), null).compose(count -> {
          ctx.verify(() -> assertThat(count).isEqualTo(3));
          List<Future<Void>> checks = new ArrayList<>();
          for (int i = 0; i < 3; i++) {
            checks.add(refusedOn(b, all.<IssuedTokens>resultAt(i).accessToken()));
          }
          return Future.all(checks);
        })))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void reuseDetectedOnOneNodeIsEnforcedOnTheOther(VertxTestContext ctx) {
    loginOn(a).compose(first -> a.sessions.refresh(first.refreshToken()).compose(second ->
        a.sessions.refresh(first.refreshToken()).compose(reuse -> {
          ctx.verify(() -> assertThat(reuse.failure()).isEqualTo(RefreshFailure.REUSED));
          return refusedOn(b, second.tokens().accessToken());
        }))).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void nodeStartedAfterARevocationRefusesTheTokenFromItsFirstRequest(VertxTestContext ctx) {
    loginOn(a).compose(t -> a.sessions.revokeSession(t.identity().sessionId(), RevocationReason.ADMIN)
        .compose(v -> startNode())
        .map(late -> {
          ctx.verify(() -> assertThat(AccessTokensTest.rejection(late.sessions.verify(t.accessToken())))
              .isEqualTo(TokenRejection.REVOKED));
          return late;
        })).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void nodeThatMissedTheNotificationCatchesUpWhenItResubscribes(VertxTestContext ctx) {
    loginOn(a).compose(t -> terminateListeners()
        .compose(v -> listeners())
        .compose(before -> a.sessions.revokeSession(t.identity().sessionId(), RevocationReason.ADMIN)
            .compose(v -> listeners())
            .map(after -> {
              ctx.verify(() -> {
                assertThat(before).as("no node listened when the revocation was sent").isZero();
                assertThat(after).isZero();
                assertThat(b.sessions.verify(t.accessToken()).succeeded()).as("b has not heard of it yet").isTrue();
              });
              return null;
            }))
        .compose(v -> refusedOn(b, t.accessToken()))
        .compose(v -> Polling.until(vertx, () -> listeners().map(n -> n == 2))))
        .onComplete(ctx.succeedingThenComplete());
  }

  /** Ends every node's LISTEN connection the way a database failover or a network cut would. */
  private Future<Void> terminateListeners() {
    return a.database.pool().preparedQuery("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
            + "WHERE datname = current_database() AND application_name = $1")
        .execute(Tuple.of(RevocationFeed.APPLICATION_NAME)).mapEmpty();
  }

  private Future<Long> listeners() {
    return a.database.pool().preparedQuery("SELECT count(*) FROM pg_stat_activity "
            + "WHERE datname = current_database() AND application_name = $1")
        .execute(Tuple.of(RevocationFeed.APPLICATION_NAME)).map(rows -> rows.iterator().next().getLong(0));
  }
}
