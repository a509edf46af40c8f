package com.timereg.gateway.session;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Transparent refresh for browsers without false theft alarms. When the access cookie expires, a
 * page typically fires several requests at once, all with the same refresh cookie; exchanging it
 * once per request would make every request but the first look like reuse and end the session.
 * So on this node, requests with the same refresh token share one exchange while it runs, and for
 * {@link SessionSettings#refreshGrace()} afterwards get the same new tokens (unless the session
 * was revoked meanwhile). Another node, or a later request, still trips reuse detection.
 *
 * <p>Capacity: at most {@value #MAX_RECENT} remembered exchanges; past that, no grace is given
 * (requests fall back to plain reuse detection) until expired entries are swept.
 */
final class RefreshCoalescer {
  static final int MAX_RECENT = 10_000;

  private record Recent(RefreshResult result, long untilMillis) {}

  private final SessionService service;
  private final RevocationList revoked;
  private final SessionSettings settings;
  private final Clock clock;
  private final Map<String, Future<RefreshResult>> inFlight = new ConcurrentHashMap<>();
  private final Map<String, Recent> recent = new ConcurrentHashMap<>();

  RefreshCoalescer(SessionService service, RevocationList revoked, SessionSettings settings, Clock clock) {
    this.service = service;
    this.revoked = revoked;
    this.settings = settings;
    this.clock = clock;
  }

  /** Like {@link SessionService#refresh}, shared with concurrent and just-finished refreshes of the same token. */
  Future<RefreshResult> refresh(String refreshToken) {
    byte[] hash = RefreshTokens.hash(refreshToken);
    if (hash == null) {
      return service.refresh(refreshToken);
    }
    // Keyed by the hash, so no usable token sits in a map key.
    String key = HexFormat.of().formatHex(hash);
    Future<RefreshResult> remembered = remembered(key);
    if (remembered != null) {
      return remembered;
    }
    Promise<RefreshResult> promise = Promise.promise();
    Future<RefreshResult> running = inFlight.putIfAbsent(key, promise.future());
    if (running != null) {
      return running;
    }
    // Looked up again now that this holds the place: an exchange on another event loop may have ended between
    // the lookup above and here. It remembers its result before it leaves inFlight, so it is found now; without
    // this second look the used token would be exchanged again, and the database would call that theft.
    remembered = remembered(key);
    if (remembered != null) {
      inFlight.remove(key, promise.future());
      promise.handle(remembered);
      return remembered;
    }
    service.refresh(refreshToken).onComplete(ar -> {
      if (ar.succeeded() && ar.result().succeeded() && !settings.refreshGrace().isZero()) {
        remember(key, ar.result());
      }
      inFlight.remove(key, promise.future());
      promise.handle(ar);
    });
    return promise.future();
  }

  /** The answer of a just-finished exchange of the token with this key, within its grace; null when there is none. */
  private Future<RefreshResult> remembered(String key) {
    long now = clock.millis();
    Recent r = recent.get(key);
    if (r == null || r.untilMillis <= now || revoked.isRevoked(r.result.tokens().identity().sessionId(), now)) {
      return null;
    }
    if (now >= r.result.tokens().accessExpiresAt().toEpochMilli()) {
      // The exchange signed an access token cut to the session's absolute end, and that end has passed: the
      // session is over, and the database would call this replay theft (the token is used) rather than expiry.
      return Future.succeededFuture(RefreshResult.refused(RefreshFailure.EXPIRED));
    }
    return Future.succeededFuture(r.result);
  }

  private void remember(String key, RefreshResult result) {
    long now = clock.millis();
    if (recent.size() >= MAX_RECENT) {
      sweep(now);
    }
    if (recent.size() < MAX_RECENT) {
      recent.put(key, new Recent(result, now + settings.refreshGrace().toMillis()));
    }
  }

  void sweep(long nowMillis) {
    recent.values().removeIf(r -> r.untilMillis <= nowMillis);
  }
}
