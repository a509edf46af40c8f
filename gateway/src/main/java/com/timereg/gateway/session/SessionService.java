package com.timereg.gateway.session;

import com.timereg.gateway.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues, refreshes and revokes sessions. A session is a family of refresh tokens in PostgreSQL;
 * each refresh exchanges the presented token for a new one in one transaction, and presenting an
 * exchanged token again revokes the family. Access tokens are verified without the database
 * ({@link #verify}); revocations reach every node's in-memory list through LISTEN/NOTIFY.
 *
 * <p>Call {@link #start()} before serving and {@link #stop()} on shutdown.
 */
public final class SessionService {
  private static final Logger LOG = LoggerFactory.getLogger(SessionService.class);
  /** Rows deleted per purge statement, so a large backlog never holds locks for long. */
  static final int PURGE_BATCH = 1000;

  private final Vertx vertx;
  private final Pool pool;
  private final SessionSettings settings;
  private final SessionMetrics metrics;
  private final Clock clock;
  private final SessionStore store = new SessionStore();
  private final RevocationList revoked = new RevocationList();
  private final AccessTokens tokens;
  private final RevocationFeed feed;
  private final RefreshCoalescer coalescer;
  private final SessionAuthenticator authenticator;
  private long purgeTimer = -1;
  private long sweepTimer = -1;

  private SessionService(Vertx vertx, Database database, SessionSettings settings, TokenKeys keys, SessionMetrics metrics, Clock clock) {
    this.vertx = vertx;
    this.pool = database.pool();
    this.settings = settings.requireValid();
    this.metrics = metrics;
    this.clock = clock;
    this.tokens = new AccessTokens(vertx, keys, settings, revoked, metrics, clock);
    this.feed = new RevocationFeed(vertx, database.settings(), pool, store, revoked, settings, metrics, clock);
    this.coalescer = new RefreshCoalescer(this, revoked, settings, clock);
    this.authenticator = new SessionAuthenticator(tokens, coalescer, clock);
    metrics.bindRevocationListSize(revoked::size);
  }

  /** Builds the service; nothing connects until {@link #start()}. */
  public static SessionService create(Vertx vertx, Database database, SessionSettings settings, TokenKeys keys,
      SessionMetrics metrics, Clock clock) {
    return new SessionService(vertx, database, settings, keys, metrics, clock);
  }

  /** Subscribes to revocations of other nodes, loads the recent ones and starts the housekeeping timers. */
  public Future<Void> start() {
    purgeTimer = vertx.setPeriodic(settings.purgeInterval().toMillis(), id -> purge());
    // Tokens handed out in the refresh grace, verified tokens past their expiry and revocations past
    // their window should not linger in memory. The revocation list is swept here too, not only at each
    // resync: with a resync interval longer than the window, many logouts would pile up until then.
    long sweepEvery = Math.max(1000, settings.refreshGrace().toMillis());
    sweepTimer = vertx.setPeriodic(sweepEvery, id -> {
      coalescer.sweep(clock.millis());
      tokens.sweep(clock.instant());
      revoked.sweep(clock.millis());
    });
    return feed.start();
  }

  public Future<Void> stop() {
    vertx.cancelTimer(purgeTimer);
    vertx.cancelTimer(sweepTimer);
    return feed.stop();
  }

  /** The hot-path handler that authenticates requests by bearer token or cookies. */
  public SessionAuthenticator authenticator() {
    return authenticator;
  }

  /**
   * Whether {@code sessionId} was revoked recently (on this node or another), without the database: for what
   * outlives the request that authenticated it, such as a WebSocket tunnel.
   */
  public boolean isRevoked(String sessionId) {
    return revoked.isRevoked(sessionId, clock.millis());
  }

  /** Checks an access token without the database; fails with {@link TokenRejectedException}. */
  public Future<SessionIdentity> verify(String accessToken) {
    return tokens.verify(accessToken);
  }

  /**
   * Starts a session after a successful login: a new family with its first refresh token, and an
   * access token. Fails if the user does not exist.
   *
   * @param customer the customer's slug
   */
  public Future<IssuedTokens> issue(long userId, String customer, String loginName, AuthMethod method) {
    Objects.requireNonNull(customer, "customer");
    Objects.requireNonNull(loginName, "loginName");
    Objects.requireNonNull(method, "method");
    Instant now = now();
    UUID sessionId = UUID.randomUUID();
    RefreshTokens.Minted refresh = RefreshTokens.mint();
    Instant absolute = now.plus(settings.absoluteTimeout());
    Instant refreshExpires = earliest(now.plus(settings.idleTimeout()), absolute);
    SessionIdentity identity = new SessionIdentity(userId, customer, loginName, method, sessionId.toString());
    return store.insertSession(pool, sessionId, userId, method, now, absolute, refresh.hash(), refreshExpires).map(v -> {
      AccessTokens.Signed access = tokens.sign(identity, absolute);
      metrics.sessionIssued(method);
      return new IssuedTokens(access.token(), access.expiresAt(), refresh.token(), refreshExpires, identity);
    });
  }

  /**
   * Exchanges a refresh token for new tokens of the same session, or says why not. The new access
   * token carries the user's current login name and customer. A failed future means the database
   * could not decide (the client may retry); every refusal is a succeeded {@link RefreshResult}.
   */
  public Future<RefreshResult> refresh(String refreshToken) {
    byte[] hash = RefreshTokens.hash(refreshToken);
    if (hash == null) {
      metrics.refreshed(RefreshFailure.UNKNOWN);
      return Future.succeededFuture(RefreshResult.refused(RefreshFailure.UNKNOWN));
    }
    Instant now = now();
    return pool.withTransaction(c -> store.lockToken(c, hash).compose(t -> decide(c, t, hash, now)))
        .map(d -> {
          if (d.revokedSession != null) {
            revokedHere(List.of(d.revokedSession), d.reason, now);
          }
          if (d.result.failure() == RefreshFailure.REUSED) {
            metrics.reuseDetected();
            LOG.warn("refresh token reuse: session {} of user {} revoked", d.revokedSession, d.userId);
          }
          metrics.refreshed(d.result.failure());
          return d.result;
        })
        .onFailure(e -> {
          metrics.refreshError();
          LOG.warn("refresh failed on the database: {}", e.toString());
        });
  }

  /** The result of a refresh and the session it revoked, if any (applied locally after commit). */
  private record Decision(RefreshResult result, UUID revokedSession, RevocationReason reason, long userId) {}

  private Future<Decision> decide(SqlConnection c, SessionStore.LockedToken t, byte[] hash, Instant now) {
    if (t == null) {
      return Future.succeededFuture(new Decision(RefreshResult.refused(RefreshFailure.UNKNOWN), null, null, 0));
    }
    if (t.revokedAt() != null) {
      return refuse(RefreshFailure.REVOKED, t);
    }
    if (t.usedAt() != null) {
      // Checked before expiry: a stolen token replayed late is still worth recording as theft.
      return revokeIn(c, t, now, RevocationReason.REUSE_DETECTED, RefreshFailure.REUSED);
    }
    if (!now.isBefore(t.absoluteExpiresAt()) || !now.isBefore(t.lastUsedAt().plus(settings.idleTimeout()))
        || !now.isBefore(t.expiresAt())) {
      return refuse(RefreshFailure.EXPIRED, t);
    }
    if (!t.userActive()) {
      return revokeIn(c, t, now, RevocationReason.USER_DISABLED, RefreshFailure.REVOKED);
    }
    if (t.passwordChanged()) {
      // The password changed after this session was opened, past the sessions the change kept (the gateway's own
      // change restamps the session that made it, a rehash every one): most likely by the backend (Django's change
      // or reset pages, its admin), which writes the hash itself. Ended, as Django's update_session_auth_hash ends
      // the user's other sessions: someone who knew the old password must not stay signed in.
      return revokeIn(c, t, now, RevocationReason.PASSWORD_CHANGE, RefreshFailure.REVOKED);
    }
    if (t.method() == AuthMethod.PASSWORD && t.passwordsRefused()
        || t.method() == AuthMethod.SSO && t.ssoRefused()) {
      // The customer moved to "Microsoft sign-in required" after this password login (a password would be refused
      // now), or turned Microsoft sign-in off (say its tenant was compromised) after this Microsoft sign-in. Ended,
      // not merely refused: a customer switching back must not revive, up to their absolute timeout, the sessions
      // it meant to end.
      return revokeIn(c, t, now, RevocationReason.SIGN_IN_METHOD_REFUSED, RefreshFailure.REVOKED);
    }
    RefreshTokens.Minted next = RefreshTokens.mint();
    Instant nextExpires = earliest(now.plus(settings.idleTimeout()), t.absoluteExpiresAt());
    return store.rotate(c, hash, next.hash(), t.sessionId(), now, nextExpires).map(v -> {
      SessionIdentity identity = new SessionIdentity(t.userId(), t.customer(), t.loginName(), t.method(), t.sessionId().toString());
      AccessTokens.Signed access = tokens.sign(identity, t.absoluteExpiresAt());
      IssuedTokens issued = new IssuedTokens(access.token(), access.expiresAt(), next.token(), nextExpires, identity);
      return new Decision(RefreshResult.refreshed(issued), null, null, t.userId());
    });
  }

  private static Future<Decision> refuse(RefreshFailure failure, SessionStore.LockedToken t) {
    return Future.succeededFuture(new Decision(RefreshResult.refused(failure), null, null, t.userId()));
  }

  private Future<Decision> revokeIn(SqlConnection c, SessionStore.LockedToken t, Instant now, RevocationReason reason,
      RefreshFailure failure) {
    return store.revoke(c, t.sessionId(), now, reason)
        .compose(ids -> store.notifyRevoked(c, ids))
        .map(v -> new Decision(RefreshResult.refused(failure), t.sessionId(), reason, t.userId()));
  }

  /**
   * Ends one session (logout, admin). Its access tokens are refused on this node at once, on the
   * others when the notification arrives. Succeeds with false when the session was not live.
   */
  public Future<Boolean> revokeSession(String sessionId, RevocationReason reason) {
    UUID id = parseSessionId(sessionId);
    if (id == null) {
      return Future.succeededFuture(false);
    }
    Instant now = now();
    // Before the database: should it fail, this node at least stops the tokens (failing closed).
    revoked.add(id.toString(), now.plus(settings.revocationMemory()).toEpochMilli());
    return pool.withTransaction(c -> store.revoke(c, id, now, reason)
            .compose(ids -> store.notifyRevoked(c, ids).map(ids)))
        .map(ids -> {
          revokedHere(ids, reason, now);
          return !ids.isEmpty();
        });
  }

  /**
   * Ends the session a refresh token belongs to (RFC 7009's revocation by refresh token): an app whose access
   * token has run out signs out without refreshing first. Any token of the session's family will do, a rotated
   * one too (presenting that to refresh would revoke the family anyway). Succeeds with false when the token is
   * unknown or its session was not live, so an answer tells nobody whether a guessed token exists.
   */
  public Future<Boolean> revokeByRefreshToken(String refreshToken, RevocationReason reason) {
    byte[] hash = RefreshTokens.hash(refreshToken);
    if (hash == null) {
      return Future.succeededFuture(false);
    }
    Instant now = now();
    return pool.withTransaction(c -> store.lockToken(c, hash).compose(t -> t == null || t.revokedAt() != null
            ? Future.succeededFuture(List.<UUID>of())
            : store.revoke(c, t.sessionId(), now, reason).compose(ids -> store.notifyRevoked(c, ids).map(ids))))
        .map(ids -> {
          revokedHere(ids, reason, now);
          return !ids.isEmpty();
        });
  }

  /** Ends every live session of a user but {@code exceptSessionId} (null for all): a password change. */
  public Future<Integer> revokeAllForUser(long userId, String exceptSessionId) {
    return revokeAllForUser(userId, exceptSessionId, RevocationReason.PASSWORD_CHANGE);
  }

  /** Ends every live session of a user but {@code exceptSessionId} (null for all); the count revoked. */
  public Future<Integer> revokeAllForUser(long userId, String exceptSessionId, RevocationReason reason) {
    UUID except = exceptSessionId == null ? null : parseSessionId(exceptSessionId);
    if (exceptSessionId != null && except == null) {
      return Future.failedFuture(new IllegalArgumentException("not a session id"));
    }
    Instant now = now();
    return pool.withTransaction(c -> store.revokeUser(c, userId, except, now, reason)
            .compose(ids -> store.notifyRevoked(c, ids).map(ids)))
        .map(ids -> {
          revokedHere(ids, reason, now);
          return ids.size();
        });
  }

  private void revokedHere(List<UUID> ids, RevocationReason reason, Instant now) {
    long until = now.plus(settings.revocationMemory()).toEpochMilli();
    ids.forEach(id -> revoked.add(id.toString(), until));
    if (!ids.isEmpty()) {
      metrics.revoked(reason, ids.size());
    }
  }

  /** Deletes sessions whose absolute expiry lies more than the retention in the past, in batches. */
  Future<Integer> purge() {
    Instant before = now().minus(settings.retention());
    return purgeFrom(before, 0).onFailure(e -> LOG.warn("could not purge old sessions: {}", e.toString()));
  }

  private Future<Integer> purgeFrom(Instant before, int deletedSoFar) {
    return store.purge(pool, before, PURGE_BATCH).compose(n -> n < PURGE_BATCH
        ? Future.succeededFuture(deletedSoFar + n)
        : purgeFrom(before, deletedSoFar + n));
  }

  /** PostgreSQL keeps microseconds; cutting here keeps what we compare equal to what we stored. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static Instant earliest(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  static UUID parseSessionId(String s) {
    if (s == null || s.length() != 36) {
      return null;
    }
    try {
      UUID id = UUID.fromString(s);
      return id.toString().equals(s) ? id : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  SessionSettings settings() {
    return settings;
  }
}
