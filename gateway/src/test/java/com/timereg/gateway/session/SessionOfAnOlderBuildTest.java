package com.timereg.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * During a rolling upgrade the nodes not yet upgraded keep storing sessions as their build did, without
 * {@code sessions.password_stamp} (V6). Such a session must not be taken for one whose password changed and ended
 * at its first refresh on an upgraded node: everyone who signed in through an old node during the rollout would be
 * signed out.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class SessionOfAnOlderBuildTest {
  private Database database;
  private SessionService sessions;
  private final ManualClock clock = ManualClock.startingNow();

  @BeforeEach
  void start(Vertx vertx, TestDatabase db, VertxTestContext ctx) {
    database = Database.create(vertx, db.databaseSettings());
    sessions = SessionService.create(vertx, database, SessionSettings.DEFAULTS, TokenKeys.ephemeral("ES256"),
        new MicrometerSessionMetrics(new SimpleMeterRegistry()), clock);
    sessions.start().onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    sessions.stop().compose(v -> database.close()).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aSessionStoredByABuildWithoutPasswordStampsIsRefreshedOnAnUpgradedNode(VertxTestContext ctx) {
    String slug = "older-" + UUID.randomUUID().toString().substring(0, 8);
    RefreshTokens.Minted token = RefreshTokens.mint();
    // A minute before the refresh, by the service's clock.
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant().minusSeconds(60), ZoneOffset.UTC);
    database.pool().preparedQuery("""
            WITH c AS (INSERT INTO customers (slug, name) VALUES ($1, $1) RETURNING id)
            INSERT INTO users (customer_id, login_name, password_hash)
            SELECT id, $1 || '@example.com', 'pbkdf2_sha256$1000$abc$def' FROM c RETURNING id""")
        .execute(Tuple.of(slug))
        .map(rows -> rows.iterator().next().getLong(0))
        // The statements of the build before V6 (SessionStore as it was): no stamp.
        .compose(userId -> database.pool().preparedQuery("""
                WITH s AS (
                  INSERT INTO sessions (id, user_id, method, created_at, last_used_at, absolute_expires_at)
                  VALUES ($1, $2, 'password', $3, $3, $4)
                  RETURNING id)
                INSERT INTO refresh_tokens (hash, session_id, issued_at, expires_at)
                SELECT $5, id, $3, $6 FROM s""")
            .execute(Tuple.of(UUID.randomUUID(), userId, now, now.plusHours(12))
                .addValue(Buffer.buffer(token.hash())).addValue(now.plusHours(1))))
        .compose(v -> sessions.refresh(token.token()))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.succeeded()).as("refreshed, not ended: " + r.failure()).isTrue();
          ctx.completeNow();
        })));
  }
}
