package com.timereg.gateway.login;

import com.timereg.gateway.admin.SecurityEvents;
import com.timereg.gateway.password.PasswordPolicy;
import com.timereg.gateway.password.PasswordVerifier;
import com.timereg.gateway.password.PolicyCheck;
import com.timereg.gateway.password.PoolSaturatedException;
import com.timereg.gateway.password.Verification;
import com.timereg.gateway.session.SessionIdentity;
import com.timereg.gateway.session.SessionService;
import com.timereg.gateway.throttle.FailureKind;
import com.timereg.gateway.throttle.ThrottleService;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The password change of a signed-in user, and the strength check behind the live meter. The order:
 * input → account may use a password → breach set loaded (or allowed without) → current password
 * (per-name delay, admission by the address limit as for a login, then PBKDF2 on the pool; a wrong one counts
 * as an invalid login) → customer
 * policy → new hash → the user's other sessions ended → hash stored if still the one verified.
 * Neither password nor the estimate is ever logged; only user ids and outcomes are.
 */
public final class PasswordChangeService {
  private static final Logger LOG = LoggerFactory.getLogger(PasswordChangeService.class);

  static final String SSO_ONLY_MESSAGE =
      "Your account signs in with Microsoft; its password is managed there, not here.";
  static final String FOREIGN_HASH_MESSAGE = "Your password is stored in a form this site cannot check, so it "
      + "cannot be changed here. Please ask your administrator to reset it.";

  private final Vertx vertx;
  private final UserDirectory users;
  private final PasswordVerifier verifier;
  private final NewPasswordChecks checks;
  private final ThrottleService throttle;
  private final SessionService sessions;
  private final PasswordChangeMetrics metrics;
  private final VerificationAdmission admission;
  private final SecurityEvents events;

  /** Without a console: wrong current passwords are counted by the throttle but reported to no one. */
  public PasswordChangeService(Vertx vertx, UserDirectory users, PasswordVerifier verifier, NewPasswordChecks checks,
      ThrottleService throttle, SessionService sessions, PasswordChangeMetrics metrics) {
    this(vertx, users, verifier, checks, throttle, sessions, metrics, SecurityEvents.NONE);
  }

  /** @param events where a wrong current password is reported, as the failed login it counts as */
  public PasswordChangeService(Vertx vertx, UserDirectory users, PasswordVerifier verifier, NewPasswordChecks checks,
      ThrottleService throttle, SessionService sessions, PasswordChangeMetrics metrics, SecurityEvents events) {
    this(vertx, users, verifier, checks, throttle, sessions, metrics, events, VerificationAdmission.WAIT);
  }

  /** @param admissionWait as for a login: {@link LoginService#admissionWait} */
  public PasswordChangeService(Vertx vertx, UserDirectory users, PasswordVerifier verifier, NewPasswordChecks checks,
      ThrottleService throttle, SessionService sessions, PasswordChangeMetrics metrics, SecurityEvents events,
      java.time.Duration admissionWait) {
    this.vertx = vertx;
    this.events = events;
    this.users = users;
    this.verifier = verifier;
    this.checks = checks;
    this.throttle = throttle;
    this.sessions = sessions;
    this.metrics = metrics;
    this.admission = new VerificationAdmission(vertx, throttle, admissionWait);
  }

  public Future<PasswordChangeResult> change(InetAddress client, SessionIdentity who, String currentPassword,
      String newPassword) {
    PasswordChangeResult malformed = malformed(currentPassword, "your current password", LoginService.MAX_PASSWORD);
    if (malformed == null) {
      malformed = malformedNew(newPassword);
    }
    if (malformed != null) {
      return Future.succeededFuture(counted(malformed));
    }
    return users.findById(who.userId()).compose(found -> {
      PasswordChangeResult refusal = refusalFor(found);
      if (refusal == null && checks.changesRefused()) {
        refusal = new PasswordChangeResult.BreachCheckUnavailable();
      }
      if (refusal != null) {
        return Future.succeededFuture(refusal);
      }
      UserRecord user = found.get();
      // The same per-name delay and address limit as login: a stolen session must not make guessing the
      // password cheaper, nor let a blocked address (whose sessions pass its block) go on guessing.
      return delay(throttle.accountDelay(user.loginName()))
          .compose(v -> admission.run(client,
              () -> verifier.verify(currentPassword, user.passwordHash())
                  .compose(verification -> verification.matches()
                      ? checkAndStore(client, who, user, currentPassword, newPassword)
                      : Future.succeededFuture(wrongCurrentPassword(client, user, verification))),
              block -> new PasswordChangeResult.Blocked(block.kind(), block.retryAfterSeconds()),
              () -> new PasswordChangeResult.Busy(1)));
    }).recover(PasswordChangeService::busy).map(this::counted);
  }

  /** The verdict on a candidate for the user's new password; nothing is counted or stored. */
  public Future<PasswordChangeResult> check(SessionIdentity who, String candidate) {
    PasswordChangeResult malformed = malformedNew(candidate);
    if (malformed != null) {
      return Future.succeededFuture(malformed);
    }
    return users.findById(who.userId()).compose(found -> {
      PasswordChangeResult refusal = refusalFor(found);
      return refusal != null
          ? Future.succeededFuture(refusal)
          : checks.check(found.get(), candidate).map(c -> (PasswordChangeResult) new PasswordChangeResult.Checked(c));
    }).recover(PasswordChangeService::busy);
  }

  /** The account behind a session, if it may change a password here. */
  public Future<Optional<UserRecord>> account(SessionIdentity who) {
    return users.findById(who.userId());
  }

  private Future<PasswordChangeResult> checkAndStore(InetAddress client, SessionIdentity who, UserRecord user,
      String currentPassword, String newPassword) {
    throttle.recordSuccess(client, user.loginName());
    return checks.check(user, newPassword).compose(check -> {
      if (NewPasswordChecks.breachCheckMissing(check)) {
        return Future.succeededFuture(new PasswordChangeResult.BreachCheckUnavailable());
      }
      if (!check.meetsPolicy()) {
        return Future.succeededFuture(new PasswordChangeResult.Refused(check.reasons()));
      }
      // Other sessions end before the new hash is stored: should storing fail, the user is asked to
      // try again and nobody else is still signed in; the other order could leave a thief signed in.
      // And once more after: a login that verified the old password meanwhile may have opened a session
      // since the first round (LoginService checks the password again once its session exists).
      return verifier.hash(newPassword)
          .compose(hash -> sessions.revokeAllForUser(user.id(), who.sessionId())
              .compose(ended -> store(user, who, currentPassword, hash)
                  .compose(stored -> stored
                      ? endLateSessions(user, who).map(late -> changed(user, ended + late))
                      : Future.succeededFuture(new PasswordChangeResult.ChangedMeanwhile()))));
    });
  }

  /**
   * Stores {@code newHash} in place of the hash the current password was verified against. Should that hash have
   * changed meanwhile, the change still wins if the stored one is another hash of the same password (a login's
   * rehash to the configured iteration count, {@code LoginService#upgradeHashIfWeak}): the user typed it right.
   * Another password stored meanwhile (another change) wins instead; that verification counts as no guess.
   */
  private Future<Boolean> store(UserRecord user, SessionIdentity who, String currentPassword, String newHash) {
    return users.replacePasswordHash(user.id(), user.passwordHash(), newHash, who.sessionId()).compose(stored -> {
      if (stored) {
        return Future.succeededFuture(true);
      }
      return users.findById(user.id()).compose(now -> {
        if (now.isEmpty() || !now.get().active() || !now.get().hasPassword()
            || now.get().passwordHash().equals(user.passwordHash())) {
          return Future.succeededFuture(false);
        }
        String rehashed = now.get().passwordHash();
        return verifier.verify(currentPassword, rehashed).compose(same -> same.matches()
            ? users.replacePasswordHash(user.id(), rehashed, newHash, who.sessionId())
            : Future.succeededFuture(false));
      });
    });
  }

  /** The second round of {@link #checkAndStore}; the password is stored, so a failure here is logged, not answered. */
  private Future<Integer> endLateSessions(UserRecord user, SessionIdentity who) {
    return sessions.revokeAllForUser(user.id(), who.sessionId()).recover(e -> {
      LOG.warn("user {} changed their password, but sessions opened meanwhile could not be ended: {}", user.id(),
          e.toString());
      return Future.succeededFuture(0);
    });
  }

  private PasswordChangeResult changed(UserRecord user, int otherSessionsEnded) {
    LOG.info("user {} changed their password; {} other session(s) ended", user.id(), otherSessionsEnded);
    return new PasswordChangeResult.Changed(otherSessionsEnded);
  }

  private PasswordChangeResult wrongCurrentPassword(InetAddress client, UserRecord user, Verification v) {
    if (v.outcome() == Verification.Outcome.MALFORMED) {
      LOG.warn("user {} has an unusable password hash: {}", user.id(), v.reason());
    }
    // A wrong current password is a password guess like any other, and staff explaining the block it may lead
    // to see it among the address's login outcomes.
    throttle.recordFailure(client, user.loginName(), FailureKind.WRONG_PASSWORD);
    events.loginFailed(client, user.loginName(), FailureKind.WRONG_PASSWORD);
    return new PasswordChangeResult.WrongCurrentPassword();
  }

  private static PasswordChangeResult refusalFor(Optional<UserRecord> found) {
    if (found.isEmpty() || !found.get().active()) {
      return new PasswordChangeResult.NoAccount();
    }
    String noPassword = noPasswordHere(found.get());
    return noPassword == null ? null : new PasswordChangeResult.PasswordNotUsed(noPassword);
  }

  /**
   * Why the user has no password to change here, or null. A hash another Django hasher made (pbkdf2_sha1, argon2)
   * or one that is damaged matches no password here: what the user types for it is no guess, so it is neither
   * verified, nor called wrong, nor counted towards the address's block.
   */
  static String noPasswordHere(UserRecord user) {
    if (user.ssoMode() == SsoMode.REQUIRED || !user.hasPassword()) {
      return SSO_ONLY_MESSAGE;
    }
    return PasswordVerifier.storedIterations(user.passwordHash()) < 0 ? FOREIGN_HASH_MESSAGE : null;
  }

  private static PasswordChangeResult malformed(String password, String what, int maxChars) {
    if (password == null || password.isEmpty()) {
      return new PasswordChangeResult.Malformed("Enter " + what + ".");
    }
    if (password.length() > LoginService.MAX_PASSWORD) {
      return new PasswordChangeResult.Malformed(
          "Passwords longer than " + maxChars + " characters are not accepted.");
    }
    return null;
  }

  /**
   * A new password is stored only if a login accepts it (at most MAX_PASSWORD UTF-16 units), and over that it has
   * more than half as many characters (code points): that is the limit to tell, as the policy's cap is.
   */
  private static PasswordChangeResult malformedNew(String password) {
    PasswordChangeResult malformed = malformed(password, "a new password", PasswordPolicy.ABSOLUTE_MAX_LENGTH);
    if (malformed == null && hasControlCharacter(password)) {
      return new PasswordChangeResult.Malformed(CONTROL_CHARACTER_MESSAGE);
    }
    return malformed;
  }

  static final String CONTROL_CHARACTER_MESSAGE =
      "Passwords may not contain control characters (such as NUL, tab or line breaks).";

  /**
   * A control character (C0, DEL, C1) has no key to type it: a NUL from a script's or app's mistake (a C string's
   * terminator, a padded buffer), a line break pasted along. Stored, the password could be typed in no login form,
   * and Django's forms refuse a NUL ({@code ProhibitNullCharactersValidator}): the backend's own login could never
   * take it. A current password is only compared, never refused for it.
   */
  private static boolean hasControlCharacter(String password) {
    for (int i = 0; i < password.length(); i++) {
      if (Character.getType(password.charAt(i)) == Character.CONTROL) {
        return true;
      }
    }
    return false;
  }

  private static Future<PasswordChangeResult> busy(Throwable failure) {
    return failure instanceof PoolSaturatedException busy
        ? Future.succeededFuture(new PasswordChangeResult.Busy(busy.retryAfterSeconds()))
        : Future.failedFuture(failure);
  }

  private PasswordChangeResult counted(PasswordChangeResult result) {
    if (result instanceof PasswordChangeResult.Changed) {
      metrics.changed();
    } else if (result instanceof PasswordChangeResult.Refused refused) {
      for (PolicyCheck.Reason reason : refused.reasons()) {
        metrics.refusal(reason.kind().name().toLowerCase(Locale.ROOT));
      }
    } else if (result instanceof PasswordChangeResult.WrongCurrentPassword) {
      metrics.refusal("wrong_current_password");
    } else if (result instanceof PasswordChangeResult.BreachCheckUnavailable) {
      metrics.refusal("breach_check_unavailable");
    } else if (result instanceof PasswordChangeResult.Blocked) {
      metrics.refusal("blocked");
    } else if (result instanceof PasswordChangeResult.PasswordNotUsed) {
      metrics.refusal("password_not_used");
    } else if (result instanceof PasswordChangeResult.Malformed) {
      metrics.refusal("malformed");
    }
    return result;
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
