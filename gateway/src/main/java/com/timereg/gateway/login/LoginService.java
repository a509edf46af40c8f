package com.timereg.gateway.login;

import com.timereg.gateway.admin.SecurityEvents;
import com.timereg.gateway.password.PasswordVerifier;
import com.timereg.gateway.password.PoolSaturatedException;
import com.timereg.gateway.password.Verification;
import com.timereg.gateway.session.AuthMethod;
import com.timereg.gateway.session.RevocationReason;
import com.timereg.gateway.session.SessionService;
import com.timereg.gateway.throttle.FailureKind;
import com.timereg.gateway.throttle.ThrottleService;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.text.Normalizer;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The password login: the order of checks and what each failure counts as. Every invalid attempt
 * costs the same one PBKDF2 verification and gives the same answer, whether the name exists or not.
 */
public final class LoginService {
  private static final Logger LOG = LoggerFactory.getLogger(LoginService.class);

  /** Longer names are not names; the column allows 254 (an e-mail address's maximum). */
  public static final int MAX_LOGIN_NAME = 254;
  /** Bounds the work one request can ask for; longer than any password a person or manager uses. */
  public static final int MAX_PASSWORD = 1024;

  private final Vertx vertx;
  private final UserDirectory users;
  private final PasswordVerifier verifier;
  private final ThrottleService throttle;
  private final SessionService sessions;
  private final LoginMetrics metrics;
  private final SecurityEvents events;
  private final VerificationAdmission admission;
  /** The highest stored iteration count warned of (see warnIfAboveConfiguredCount). */
  private final java.util.concurrent.atomic.AtomicInteger warnedAboveConfiguredCount =
      new java.util.concurrent.atomic.AtomicInteger();

  public LoginService(Vertx vertx, UserDirectory users, PasswordVerifier verifier, ThrottleService throttle,
      SessionService sessions, LoginMetrics metrics) {
    this(vertx, users, verifier, throttle, sessions, metrics, SecurityEvents.NONE);
  }

  /** @param events told of every decided attempt, for the security console's recent events */
  public LoginService(Vertx vertx, UserDirectory users, PasswordVerifier verifier, ThrottleService throttle,
      SessionService sessions, LoginMetrics metrics, SecurityEvents events) {
    this(vertx, users, verifier, throttle, sessions, metrics, events, VerificationAdmission.WAIT);
  }

  /**
   * @param admissionWait how long an attempt may wait for its client's verifications in flight before it is
   *     answered busy: {@link #admissionWait} of the listener's idle timeout, at most 30 s
   */
  public LoginService(Vertx vertx, UserDirectory users, PasswordVerifier verifier, ThrottleService throttle,
      SessionService sessions, LoginMetrics metrics, SecurityEvents events, Duration admissionWait) {
    this.vertx = vertx;
    this.admission = new VerificationAdmission(vertx, throttle, admissionWait);
    this.users = users;
    this.verifier = verifier;
    this.throttle = throttle;
    this.sessions = sessions;
    this.metrics = metrics;
    this.events = events;
  }

  /**
   * A login name as typed, as Django's login form (UsernameField) takes it and stores names: stripped and NFKC-normalised,
   * so the same name in another form (a decomposed accent, a ligature, full-width letters) is the same user. As there,
   * only a name of a possible length is normalised (NFKC can lengthen it); stripped again for what NFKC makes a space
   * (a no-break space). Also for SSO's home-realm discovery and address claims: one account, one name.
   */
  public static String loginName(String raw) {
    String typed = raw == null ? "" : raw.strip();
    return typed.length() > MAX_LOGIN_NAME ? typed : Normalizer.normalize(typed, Normalizer.Form.NFKC).strip();
  }

  /**
   * How long a password attempt (a login, a password change's current password) may wait for its client's
   * verifications in flight: 30 s, less where that would outlast the public listener's idle timeout after the
   * per-name delay, which would close the connection under the waiting attempt, unanswered.
   */
  public static Duration admissionWait(Duration idleTimeout, Duration accountMaxDelay) {
    return VerificationAdmission.waitWithin(idleTimeout, accountMaxDelay);
  }

  public Future<LoginResult> login(InetAddress client, String rawLoginName, String password) {
    long start = System.nanoTime();
    return attempt(client, rawLoginName, password)
        .andThen(done -> metrics.passwordLogin(outcome(done), System.nanoTime() - start));
  }

  /** The outcome label of a decided login, as {@link LoginMetrics#attempt} counts it. */
  private static String outcome(io.vertx.core.AsyncResult<LoginResult> done) {
    LoginResult result = done.succeeded() ? done.result() : null;
    if (result instanceof LoginResult.Success) {
      return "success";
    } else if (result instanceof LoginResult.Invalid) {
      return "invalid";
    } else if (result instanceof LoginResult.SsoRequired) {
      return "sso_required";
    } else if (result instanceof LoginResult.Blocked) {
      return "blocked";
    } else if (result instanceof LoginResult.Busy) {
      return "busy";
    }
    return "error";
  }

  private Future<LoginResult> attempt(InetAddress client, String rawLoginName, String password) {
    String loginName = loginName(rawLoginName);
    // A NUL is no character of any name, and PostgreSQL refuses it in text: the lookup would fail as an outage.
    if (loginName.isEmpty() || loginName.length() > MAX_LOGIN_NAME || loginName.indexOf('\0') >= 0
        || password == null || password.isEmpty() || password.length() > MAX_PASSWORD) {
      return Future.succeededFuture(invalid(client, loginName.isEmpty() ? null : loginName, FailureKind.MALFORMED_CREDENTIALS, null));
    }
    // The per-name delay slows guessing against one account without ever locking its owner out.
    return delay(throttle.accountDelay(loginName))
        .compose(v -> users.findByLoginName(loginName))
        .compose(user -> admission.run(client, () -> check(client, loginName, password, user),
            block -> {
              metrics.attempt("password", "blocked");
              return new LoginResult.Blocked(block.kind(), block.retryAfterSeconds());
            },
            () -> {
              metrics.attempt("password", "busy");
              return new LoginResult.Busy(1);
            }))
        .recover(e -> {
          if (e instanceof PoolSaturatedException busy) {
            metrics.attempt("password", "busy");
            return Future.succeededFuture(new LoginResult.Busy(busy.retryAfterSeconds()));
          }
          metrics.attempt("password", "error");
          return Future.failedFuture(e);
        });
  }

  private Future<LoginResult> check(InetAddress client, String loginName, String password, Optional<UserRecord> found) {
    if (found.isEmpty()) {
      return verifier.verifyUnknownUser(password)
          .map(v -> invalid(client, loginName, FailureKind.UNKNOWN_USER, null));
    }
    UserRecord user = found.get();
    if (user.ssoMode() == SsoMode.REQUIRED) {
      throttle.recordFailure(client, loginName, FailureKind.SSO_REQUIRED);
      metrics.attempt("password", "sso_required");
      events.loginFailed(client, user.loginName(), FailureKind.SSO_REQUIRED);
      return Future.succeededFuture(new LoginResult.SsoRequired(user.loginName()));
    }
    if (!user.active() || !user.hasPassword()) {
      FailureKind kind = user.active() ? FailureKind.WRONG_PASSWORD : FailureKind.INACTIVE_USER;
      return verifier.verifyUnknownUser(password).map(v -> invalid(client, loginName, kind, user.loginName()));
    }
    return verifier.verify(password, user.passwordHash()).compose(result -> {
      if (!result.matches()) {
        if (result.outcome() == Verification.Outcome.MALFORMED) {
          LOG.warn("user {} has an unusable password hash: {}", user.id(), result.reason());
        }
        return Future.succeededFuture(invalid(client, loginName, FailureKind.WRONG_PASSWORD, user.loginName()));
      }
      return sessions.issue(user.id(), user.customerSlug(), user.loginName(), AuthMethod.PASSWORD)
          .compose(tokens -> stillItsPassword(user, password).compose(still -> {
            if (!still) {
              // The password was changed while this login verified the old one, and the change may have
              // ended the user's sessions before this one existed: end it, as the change meant to.
              return sessions.revokeSession(tokens.identity().sessionId(), RevocationReason.PASSWORD_CHANGE)
                  .map(v -> invalid(client, loginName, FailureKind.WRONG_PASSWORD, user.loginName()));
            }
            throttle.recordSuccess(client, loginName, user.loginName());
            upgradeHashIfWeak(user, password);
            metrics.attempt("password", "success");
            events.loginSucceeded(client, user.loginName(), AuthMethod.PASSWORD.value);
            return Future.succeededFuture((LoginResult) new LoginResult.Success(tokens, user));
          }));
    });
  }

  /**
   * Whether {@code password}, verified against the hash read before, is still the user's once the session
   * exists. Read after the session was stored: a password change stores its hash and then ends the user's
   * other sessions again, so a session opened with the old password is ended by one side or the other.
   * A different hash of the same password (another login's rehash) is verified once more.
   */
  private Future<Boolean> stillItsPassword(UserRecord verified, String password) {
    return users.findById(verified.id()).compose(now -> {
      if (now.isEmpty() || !now.get().active() || !now.get().hasPassword()) {
        return Future.succeededFuture(false);
      }
      String hash = now.get().passwordHash();
      if (hash.equals(verified.passwordHash())) {
        return Future.succeededFuture(true);
      }
      return verifier.verify(password, hash).map(Verification::matches);
    });
  }

  /**
   * @param knownName the stored name of the user the attempt named, or null: what was typed for a
   *     name that does not exist is never passed on, as it may be a password typed in the wrong field
   */
  private LoginResult invalid(InetAddress client, String loginName, FailureKind kind, String knownName) {
    throttle.recordFailure(client, loginName, kind);
    metrics.attempt("password", "invalid");
    events.loginFailed(client, knownName, kind);
    return LoginResult.INVALID;
  }

  /** Re-hashes a stored hash below the configured iteration count; the login never waits for it. */
  private void upgradeHashIfWeak(UserRecord user, String password) {
    if (!verifier.needsRehash(user.passwordHash())) {
      warnIfAboveConfiguredCount(user.passwordHash());
      return;
    }
    verifier.hash(password)
        .compose(newHash -> users.replacePasswordHash(user.id(), user.passwordHash(), newHash, null))
        .onSuccess(done -> {
          if (done) {
            LOG.info("upgraded the password hash of user {} to the configured iteration count", user.id());
          }
        })
        .onFailure(e -> LOG.warn("could not upgrade the password hash of user {}: {}", user.id(), e.toString()));
  }

  /**
   * A hash above the configured count is kept (lowering the setting must not weaken stored hashes), but its users
   * answer more slowly than unknown names, whose dummy verification runs at the configured count: timing tells
   * the names apart. Said once for each count higher than any said before, naming the setting that closes the gap.
   */
  private void warnIfAboveConfiguredCount(String storedHash) {
    int stored = PasswordVerifier.storedIterations(storedHash);
    if (stored > verifier.iterations() && stored > warnedAboveConfiguredCount.getAndAccumulate(stored, Math::max)) {
      LOG.warn("a stored password hash uses {} iterations, more than password.iterations ({}): logins of such "
          + "users take longer than those of unknown names, which tells names apart; set password.iterations to at "
          + "least {} (said once for each higher count)", stored, verifier.iterations(), stored);
    }
  }

  private Future<Void> delay(Duration d) {
    if (d.isZero() || d.isNegative()) {
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    vertx.setTimer(d.toMillis(), id -> p.complete());
    return p.future();
  }
}
