package com.timereg.gateway.session;

import com.timereg.gateway.testsupport.ManualClock;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({VertxExtension.class, PostgresExtension.class})
class SessionServiceTest {
  private Database database;
  private ManualClock clock;
  private SimpleMeterRegistry registry;
  private SessionService sessions;

  @BeforeEach
  void start(Vertx vertx, TestDatabase db, VertxTestContext ctx) {
    database = Database.create(vertx, db.databaseSettings());
    clock = ManualClock.startingNow();
    registry = new SimpleMeterRegistry();
    sessions = SessionService.create(vertx, database, SessionSettings.DEFAULTS, TokenKeys.ephemeral("ES256"),
        new MicrometerSessionMetrics(registry), clock);
    sessions.start().onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    sessions.stop().compose(v -> database.close()).onComplete(ctx.succeedingThenComplete());
  }

  private Future<IssuedTokens> login() {
    return TestUsers.create(database.pool(), "alice")
        .compose(user -> sessions.issue(user.id(), TestUsers.CUSTOMER, user.loginName(), AuthMethod.PASSWORD));
  }

  @Test
  void issueStoresOnlyTheHashOfTheRefreshToken(VertxTestContext ctx) {
    login().compose(t -> database.pool().preparedQuery("SELECT t.hash, s.user_id, s.method FROM refresh_tokens t "
            + "JOIN sessions s ON s.id = t.session_id WHERE s.id = $1").execute(Tuple.of(UUID.fromString(t.identity().sessionId())))
        .map(rows -> {
          ctx.verify(() -> {
            assertThat(rows.size()).isOne();
            Row row = rows.iterator().next();
            byte[] raw = Base64.getUrlDecoder().decode(t.refreshToken());
            assertThat(raw).hasSize(32);
            assertThat(row.getBuffer("hash").getBytes()).isEqualTo(RefreshTokens.sha256(raw));
            assertThat(row.getLong("user_id")).isEqualTo(t.identity().userId());
            assertThat(row.getString("method")).isEqualTo("password");
            assertThat(t.toString()).doesNotContain(t.refreshToken()).doesNotContain(t.accessToken());
            assertThat(t.refreshExpiresAt()).isEqualTo(clock.instant().plus(SessionSettings.DEFAULT_IDLE_TIMEOUT));
          });
          return t;
        }))
        .compose(t -> sessions.verify(t.accessToken()).map(id -> {
          ctx.verify(() -> assertThat(id).isEqualTo(t.identity()));
          return id;
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void refreshExchangesTheTokenForANewOneOfTheSameSession(VertxTestContext ctx) {
    login().compose(first -> sessions.refresh(first.refreshToken()).compose(r -> {
      IssuedTokens second = r.tokens();
      ctx.verify(() -> {
        assertThat(second.identity()).isEqualTo(first.identity());
        assertThat(second.refreshToken()).isNotEqualTo(first.refreshToken());
        assertThat(second.accessToken()).isNotEqualTo(first.accessToken());
      });
      byte[] oldHash = RefreshTokens.hash(first.refreshToken());
      return database.pool().preparedQuery("SELECT used_at, replaced_by FROM refresh_tokens WHERE hash = $1")
          .execute(Tuple.of(Buffer.buffer(oldHash))).map(rows -> {
            Row row = rows.iterator().next();
            ctx.verify(() -> {
              assertThat(row.getOffsetDateTime("used_at")).isNotNull();
              assertThat(row.getBuffer("replaced_by").getBytes()).isEqualTo(RefreshTokens.hash(second.refreshToken()));
            });
            return second;
          });
    }))
        .compose(second -> sessions.verify(second.accessToken()))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void reusingAnExchangedTokenRevokesTheWholeFamilyAndItsAccessTokens(VertxTestContext ctx) {
    login().compose(first -> sessions.refresh(first.refreshToken()).compose(r -> {
      IssuedTokens second = r.tokens();
      return sessions.refresh(first.refreshToken())
          .compose(reuse -> {
            ctx.verify(() -> assertThat(reuse.failure()).isEqualTo(RefreshFailure.REUSED));
            return sessions.refresh(second.refreshToken());
          })
          .compose(afterTheft -> {
            ctx.verify(() -> {
              assertThat(afterTheft.failure()).as("the legitimate holder's token dies too").isEqualTo(RefreshFailure.REVOKED);
              assertThat(AccessTokensTest.rejection(sessions.verify(second.accessToken()))).isEqualTo(TokenRejection.REVOKED);
              assertThat(AccessTokensTest.rejection(sessions.verify(first.accessToken()))).isEqualTo(TokenRejection.REVOKED);
              assertThat(registry.counter("gateway.session.reuse.detected").count()).isEqualTo(1);
              assertThat(registry.counter("gateway.session.refreshes", "outcome", "reused").count()).isEqualTo(1);
            });
            return revokedReason(second.identity().sessionId());
          })
          .map(reason -> {
            ctx.verify(() -> assertThat(reason).isEqualTo("reuse-detected"));
            return reason;
          });
    })).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void idleSessionExpiresWhileAnActiveOneLivesOn(VertxTestContext ctx) {
    login().compose(t -> {
      clock.advance(Duration.ofMinutes(29));
      return sessions.refresh(t.refreshToken());
    }).compose(r -> {
      clock.advance(Duration.ofMinutes(29));
      return sessions.refresh(r.tokens().refreshToken());
    }).compose(r -> {
      clock.advance(Duration.ofMinutes(30));
      return sessions.refresh(r.tokens().refreshToken());
    }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.failure()).isEqualTo(RefreshFailure.EXPIRED);
      assertThat(registry.counter("gateway.session.refreshes", "outcome", "ok").count()).isEqualTo(2);
      ctx.completeNow();
    })));
  }

  @Test
  void absoluteTimeoutEndsEvenAnActiveSession(VertxTestContext ctx) {
    List<RefreshFailure> outcomes = new ArrayList<>();
    Function<String, Future<Void>> every25Minutes = new Function<>() {
      @Override
      public Future<Void> apply(String refreshToken) {
        clock.advance(Duration.ofMinutes(25));
        return sessions.refresh(refreshToken).compose(r -> {
          outcomes.add(r.failure());
          return r.succeeded() ? this.apply(r.tokens().refreshToken()) : Future.succeededFuture();
        });
      }
    };
    login().compose(t -> every25Minutes.apply(t.refreshToken())).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      // 28 x 25 min = 11 h 40 min is inside the 12 h; the 29th refresh, at 12 h 05 min, is not.
      assertThat(outcomes).hasSize(29);
      assertThat(outcomes.subList(0, 28)).containsOnlyNulls();
      assertThat(outcomes.get(28)).isEqualTo(RefreshFailure.EXPIRED);
      ctx.completeNow();
    })));
  }

  @Test
  void concurrentRefreshesOfOneTokenLetExactlyOneWin(VertxTestContext ctx) {
    login().compose(t -> {
      List<Future<RefreshResult>> racing = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        racing.add(sessions.refresh(t.refreshToken()));
      }
      return Future.all(racing).map(all -> racing.stream().map(Future::result).toList());
    }).compose(results -> {
      List<RefreshResult> winners = results.stream().filter(RefreshResult::succeeded).toList();
      ctx.verify(() -> {
        assertThat(winners).hasSize(1);
        assertThat(results.stream().map(RefreshResult::failure).filter(f -> f != null).toList())
            .hasSize(4)
            .contains(RefreshFailure.REUSED)
            .allMatch(f -> f == RefreshFailure.REUSED || f == RefreshFailure.REVOKED);
      });
      return sessions.refresh(winners.get(0).tokens().refreshToken());
    }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.failure()).as("the loser counted as reuse, so the family is gone").isEqualTo(RefreshFailure.REVOKED);
      ctx.completeNow();
    })));
  }

  @Test
  void refreshWaitingOnTheLockOfAnotherExchangeSeesTheTokenUsed(Vertx vertx, VertxTestContext ctx) {
    // Deterministic version of the race: another transaction has locked the token and marked it
    // used but not committed yet; our refresh must wait, then see the committed state, not its snapshot.
    login().compose(t -> database.pool().getConnection().compose(other -> other.begin().compose(tx -> {
      Buffer hash = Buffer.buffer(RefreshTokens.hash(t.refreshToken()));
      return other.preparedQuery("SELECT 1 FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id "
              + "WHERE t.hash = $1 FOR UPDATE OF t, s").execute(Tuple.of(hash))
          .compose(v -> other.preparedQuery("UPDATE refresh_tokens SET used_at = now(), replaced_by = $2 WHERE hash = $1")
              .execute(Tuple.of(hash, Buffer.buffer(RefreshTokens.mint().hash()))))
          .compose(v -> {
            Future<RefreshResult> waiting = sessions.refresh(t.refreshToken());
            return Polling.until(vertx, () -> database.pool()
                    .query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
                    .execute().map(rows -> rows.iterator().next().getLong(0) > 0))
                .compose(v2 -> {
                  ctx.verify(() -> assertThat(waiting.isComplete()).as("blocked behind the lock").isFalse());
                  return tx.commit();
                })
                .compose(v2 -> waiting);
          })
          .eventually(() -> other.close());
    }))).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.failure()).isEqualTo(RefreshFailure.REUSED);
      ctx.completeNow();
    })));
  }

  @Test
  void tokensWeNeverIssuedAreUnknown(VertxTestContext ctx) {
    String wellFormed = RefreshTokens.mint().token();
    Future.all(sessions.refresh(wellFormed), sessions.refresh("short"), sessions.refresh(null),
            sessions.refresh(wellFormed.substring(0, 42) + "!"))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < 4; i++) {
            assertThat(all.<RefreshResult>resultAt(i).failure()).isEqualTo(RefreshFailure.UNKNOWN);
          }
          ctx.completeNow();
        })));
  }

  @Test
  void loggedOutSessionCannotRefreshAndItsAccessTokenIsRefusedAtOnce(VertxTestContext ctx) {
    login().compose(t -> sessions.revokeSession(t.identity().sessionId(), RevocationReason.LOGOUT).compose(revoked -> {
      ctx.verify(() -> {
        assertThat(revoked).isTrue();
        assertThat(AccessTokensTest.rejection(sessions.verify(t.accessToken()))).isEqualTo(TokenRejection.REVOKED);
      });
      return sessions.refresh(t.refreshToken());
    }).compose(r -> {
      ctx.verify(() -> assertThat(r.failure()).isEqualTo(RefreshFailure.REVOKED));
      return sessions.revokeSession(t.identity().sessionId(), RevocationReason.LOGOUT);
    })).onComplete(ctx.succeeding(again -> ctx.verify(() -> {
      assertThat(again).as("already revoked").isFalse();
      assertThat(registry.counter("gateway.session.revocations", "reason", "logout").count()).isEqualTo(1);
      ctx.completeNow();
    })));
  }

  @Test
  void passwordChangeRevokesTheUsersOtherSessionsOnly(VertxTestContext ctx) {
    TestUsers.create(database.pool(), "bob").compose(bob -> Future.all(
            sessions.issue(bob.id(), TestUsers.CUSTOMER, bob.loginName(), AuthMethod.PASSWORD),
            sessions.issue(bob.id(), TestUsers.CUSTOMER, bob.loginName(), AuthMethod.SSO),
            sessions.issue(bob.id(), TestUsers.CUSTOMER, bob.loginName(), AuthMethod.PASSWORD))
        .compose(all -> {
          IssuedTokens kept = all.resultAt(0);
          IssuedTokens other1 = all.resultAt(1);
          IssuedTokens other2 = all.resultAt(2);
          return sessions.revokeAllForUser(bob.id(), kept.identity().sessionId()).compose(count -> {
            ctx.verify(() -> {
              assertThat(count).isEqualTo(2);
              assertThat(sessions.verify(kept.accessToken()).succeeded()).isTrue();
              assertThat(AccessTokensTest.rejection(sessions.verify(other1.accessToken()))).isEqualTo(TokenRejection.REVOKED);
              assertThat(AccessTokensTest.rejection(sessions.verify(other2.accessToken()))).isEqualTo(TokenRejection.REVOKED);
            });
            return Future.all(sessions.refresh(kept.refreshToken()), sessions.refresh(other1.refreshToken()));
          });
        }))
        .onComplete(ctx.succeeding(refreshes -> ctx.verify(() -> {
          assertThat(refreshes.<RefreshResult>resultAt(0).succeeded()).isTrue();
          assertThat(refreshes.<RefreshResult>resultAt(1).failure()).isEqualTo(RefreshFailure.REVOKED);
          ctx.completeNow();
        })));
  }

  @Test
  void deactivatedUserCannotRefreshAndTheSessionIsRevoked(VertxTestContext ctx) {
    login().compose(t -> database.pool().preparedQuery("UPDATE users SET active = false WHERE id = $1")
            .execute(Tuple.of(t.identity().userId()))
            .compose(v -> sessions.refresh(t.refreshToken()))
            .compose(r -> {
              ctx.verify(() -> {
                assertThat(r.failure()).isEqualTo(RefreshFailure.REVOKED);
                assertThat(AccessTokensTest.rejection(sessions.verify(t.accessToken()))).isEqualTo(TokenRejection.REVOKED);
              });
              return revokedReason(t.identity().sessionId());
            }))
        .onComplete(ctx.succeeding(reason -> ctx.verify(() -> {
          assertThat(reason).isEqualTo("user-disabled");
          ctx.completeNow();
        })));
  }

  @Test
  void refreshCarriesTheUsersCurrentLoginName(VertxTestContext ctx) {
    login().compose(t -> database.pool().preparedQuery("UPDATE users SET login_name = login_name || '-renamed' WHERE id = $1")
            .execute(Tuple.of(t.identity().userId()))
            .compose(v -> sessions.refresh(t.refreshToken()))
            .compose(r -> TestUsers.loginName(database.pool(), t.identity().userId()).map(name -> {
              ctx.verify(() -> {
                assertThat(name).endsWith("-renamed");
                assertThat(r.tokens().identity().loginName()).isEqualTo(name);
                assertThat(sessions.verify(r.tokens().accessToken()).result().loginName()).isEqualTo(name);
              });
              return name;
            })))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void issuingForAnUnknownUserFails(VertxTestContext ctx) {
    sessions.issue(Long.MAX_VALUE, TestUsers.CUSTOMER, "nobody", AuthMethod.PASSWORD)
        .onComplete(ctx.failingThenComplete());
  }

  @Test
  void purgeDeletesSessionsLongPastTheirAbsoluteExpiry(VertxTestContext ctx) {
    // Other tests of this class share the database, so this one looks at its own sessions only.
    login().compose(old -> {
      clock.advance(SessionSettings.DEFAULT_ABSOLUTE_TIMEOUT.plus(SessionSettings.DEFAULT_RETENTION).minusSeconds(1));
      return login().compose(recent -> sessions.purge()
          .compose(n -> sessionExists(old))
          .compose(oldKept -> {
            ctx.verify(() -> assertThat(oldKept).as("one second before retention ends").isTrue());
            clock.advance(Duration.ofSeconds(2));
            return sessions.purge();
          })
          .compose(n -> {
            ctx.verify(() -> assertThat(n).isPositive());
            return Future.all(sessionExists(old), sessionExists(recent), database.pool()
                .preparedQuery("SELECT count(*) FROM refresh_tokens WHERE session_id = $1")
                .execute(Tuple.of(UUID.fromString(old.identity().sessionId()))));
          })
          .map(all -> {
            ctx.verify(() -> {
              assertThat(all.<Boolean>resultAt(0)).isFalse();
              assertThat(all.<Boolean>resultAt(1)).as("a live session is not purged").isTrue();
              assertThat(all.<io.vertx.sqlclient.RowSet<Row>>resultAt(2).iterator().next().getLong(0)).isZero();
            });
            return all;
          }));
    }).onComplete(ctx.succeedingThenComplete());
  }

  private Future<Boolean> sessionExists(IssuedTokens t) {
    return database.pool().preparedQuery("SELECT 1 FROM sessions WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(t.identity().sessionId()))).map(rows -> rows.size() == 1);
  }

  private Future<String> revokedReason(String sessionId) {
    return database.pool().preparedQuery("SELECT revoked_reason FROM sessions WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(sessionId))).map(rows -> rows.iterator().next().getString(0));
  }
}
