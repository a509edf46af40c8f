package com.timereg.gateway.login;

import com.timereg.gateway.password.BreachedPasswords;
import com.timereg.gateway.password.PasswordPolicy;
import com.timereg.gateway.password.PasswordPolicyChecker;
import com.timereg.gateway.password.PolicyCheck;
import com.timereg.gateway.password.UserContext;
import com.timereg.gateway.password.VerificationPool;
import io.vertx.core.Future;

/**
 * Checks a new password against its user's customer policy on the verification pool (the strength
 * estimate takes milliseconds, tens on hostile input), with the user's login name, e-mail and
 * customer name as dictionary words.
 */
public final class NewPasswordChecks {
  static final String BREACH_CHECK_UNAVAILABLE_MESSAGE = "Password changes are switched off until the list of "
      + "passwords known from data breaches is loaded. Please try again later.";

  private final VerificationPool pool;
  private final PasswordPolicyChecker checker;
  private final BreachedPasswords breaches;
  private final boolean allowWithoutBreachSet;
  private final PasswordChangeMetrics metrics;

  /**
   * @param allowWithoutBreachSet the gateway-wide opt-out ({@code hibp.allow-without-set}): accept
   *     passwords while no breach set is loaded, whatever the customer's policy says
   */
  public NewPasswordChecks(VerificationPool pool, PasswordPolicyChecker checker, BreachedPasswords breaches,
      boolean allowWithoutBreachSet, PasswordChangeMetrics metrics) {
    this.pool = pool;
    this.checker = checker;
    this.breaches = breaches;
    this.allowWithoutBreachSet = allowWithoutBreachSet;
    this.metrics = metrics;
  }

  /** True while every new password would be refused for want of a breach set: no need to verify anything. */
  boolean changesRefused() {
    return !allowWithoutBreachSet && !breaches.available();
  }

  /** The verdict, on the caller's context; fails with PoolSaturatedException when the pool is full. */
  Future<PolicyCheck> check(UserRecord user, String candidate) {
    PasswordPolicy policy = allowWithoutBreachSet
        ? user.passwordPolicy().allowingUnavailableBreachCheck(true)
        : user.passwordPolicy();
    UserContext context = new UserContext(user.loginName(), user.email(), user.customerName());
    return pool.submit(() -> {
      long start = System.nanoTime();
      PolicyCheck result = checker.check(candidate, policy, context, breaches);
      metrics.estimate(System.nanoTime() - start);
      return result;
    });
  }

  static boolean breachCheckMissing(PolicyCheck check) {
    return check.reasons().stream().anyMatch(r -> r.kind() == PolicyCheck.Kind.BREACH_CHECK_UNAVAILABLE);
  }

  /** The reason as the person choosing the password should read it. */
  static String message(PolicyCheck.Reason reason) {
    return reason.kind() == PolicyCheck.Kind.BREACH_CHECK_UNAVAILABLE ? BREACH_CHECK_UNAVAILABLE_MESSAGE
        : reason.message();
  }
}
