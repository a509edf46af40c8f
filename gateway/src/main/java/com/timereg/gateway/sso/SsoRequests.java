package com.timereg.gateway.sso;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pending sign-ins in {@code sso_requests}, keyed by the hash of their state; each can be taken once.
 *
 * <p>How many there are is kept without a query per start: counted by {@link #recount()} (at start and after each
 * purge of expired rows, once a minute), and between two counts changed by this node's own saves and takes. Other
 * nodes' starts are seen at the next count, so with n nodes the table holds at most the cap plus what the other
 * nodes start within a minute.
 */
final class SsoRequests {
  /** Rows deleted per purge statement, so a backlog never holds locks for long. */
  static final int PURGE_BATCH = 1000;

  private final Pool pool;
  private final AtomicLong pending = new AtomicLong();

  SsoRequests(Pool pool) {
    this.pool = pool;
  }

  /**
   * Saves a sign-in if fewer than {@code max} are pending: false when {@code max} are pending already, and nothing is
   * written. The place is taken and the row written in one step, so nothing can come between them and fail with the
   * place taken (it would stay taken until the next {@link #recount()}, and a burst of such failures would fill the
   * cap and refuse everyone's start); every failure of the write gives it back.
   */
  Future<Boolean> saveWithin(long max, byte[] stateHash, PendingSignIn p) {
    if (pending.incrementAndGet() > max) {
      pending.decrementAndGet();
      return Future.succeededFuture(false);
    }
    Future<Void> saved;
    try {
      saved = save(stateHash, p);
    } catch (RuntimeException e) {
      saved = Future.failedFuture(e);
    }
    return saved.onFailure(e -> pending.decrementAndGet()).map(true);
  }

  /** Counts the pending sign-ins anew (all nodes' rows, expired ones not yet deleted included). */
  Future<Long> recount() {
    return pool.query("SELECT count(*) FROM sso_requests").execute()
        .map(rows -> {
          long n = rows.iterator().next().getLong(0);
          pending.set(n);
          return n;
        });
  }

  private Future<Void> save(byte[] stateHash, PendingSignIn p) {
    return pool.preparedQuery("INSERT INTO sso_requests (state_hash, browser_hash, customer_id, nonce, code_verifier, "
            + "login_hint, next_path, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .execute(Tuple.from(new Object[] {Buffer.buffer(stateHash), Buffer.buffer(p.browserHash()), p.customerId(),
            p.nonce(), p.codeVerifier(), p.loginHint(), p.next(), utc(p.createdAt()), utc(p.expiresAt())}))
        .mapEmpty();
  }

  /**
   * Removes and returns the sign-in with this state, started in the browser with this binding. Deleting is what
   * makes a state usable once: of two callbacks racing with the same state, PostgreSQL gives the row to one.
   * A callback from another browser takes nothing, so it cannot cancel the sign-in of the one that started it.
   */
  Future<Optional<PendingSignIn>> take(byte[] stateHash, byte[] browserHash) {
    return pool.preparedQuery("DELETE FROM sso_requests WHERE state_hash = $1 AND browser_hash = $2 RETURNING "
            + "browser_hash, customer_id, nonce, code_verifier, login_hint, next_path, created_at, expires_at")
        .execute(Tuple.of(Buffer.buffer(stateHash), Buffer.buffer(browserHash)))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.<PendingSignIn>empty();
          }
          pending.decrementAndGet();
          return Optional.of(from(rows.iterator().next()));
        });
  }

  /** Whether a sign-in with this state is pending (whichever browser started it); for the log's reason only. */
  Future<Boolean> pending(byte[] stateHash) {
    return pool.preparedQuery("SELECT 1 FROM sso_requests WHERE state_hash = $1")
        .execute(Tuple.of(Buffer.buffer(stateHash)))
        .map(rows -> rows.size() > 0);
  }

  /** Deletes sign-ins that expired before {@code now}; the number deleted. */
  Future<Integer> purgeExpired(Instant now) {
    return pool.preparedQuery("DELETE FROM sso_requests WHERE state_hash IN "
            + "(SELECT state_hash FROM sso_requests WHERE expires_at < $1 LIMIT $2)")
        .execute(Tuple.of(utc(now), PURGE_BATCH))
        .compose(rows -> rows.rowCount() < PURGE_BATCH
            ? Future.succeededFuture(rows.rowCount())
            : purgeExpired(now).map(more -> more + rows.rowCount()));
  }

  private static PendingSignIn from(Row r) {
    return new PendingSignIn(r.getBuffer("browser_hash").getBytes(), r.getLong("customer_id"), r.getString("nonce"),
        r.getString("code_verifier"), r.getString("login_hint"), r.getString("next_path"),
        r.getOffsetDateTime("created_at").toInstant(), r.getOffsetDateTime("expires_at").toInstant());
  }

  private static java.time.OffsetDateTime utc(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
