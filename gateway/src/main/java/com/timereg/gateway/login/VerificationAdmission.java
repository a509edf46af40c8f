package com.timereg.gateway.login;

import com.timereg.gateway.throttle.Decision;
import com.timereg.gateway.throttle.ThrottleService;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs a password verification for a client only once the throttle admits it
 * ({@link ThrottleService#admitVerification}): every route that verifies a password a client sent (login, the
 * current password of a password change) is a guess the address's limit must hold for. The block check at the
 * request's entry cannot see guesses sent together with this one, and lets a blocked address's sessions through.
 * While the client's verifications in flight take up its limit, this waits for them (polling every
 * {@link #POLL}), up to its wait ({@link #WAIT}, or less where the idle timeout is short: {@link #waitWithin}); a
 * block found meanwhile refuses the attempt unverified.
 */
final class VerificationAdmission {
  static final Duration POLL = Duration.ofMillis(20);
  static final Duration WAIT = Duration.ofSeconds(30);
  /** Kept for the user lookup before the wait and the verification and session after it. */
  static final Duration RESERVE = Duration.ofSeconds(2);

  private final Vertx vertx;
  private final ThrottleService throttle;
  private final Duration wait;

  VerificationAdmission(Vertx vertx, ThrottleService throttle) {
    this(vertx, throttle, WAIT);
  }

  /** @param wait how long a client's attempt may wait for its verifications in flight, at most {@link #WAIT} */
  VerificationAdmission(Vertx vertx, ThrottleService throttle, Duration wait) {
    this.vertx = vertx;
    this.throttle = throttle;
    this.wait = wait.compareTo(WAIT) > 0 ? WAIT : wait.isNegative() ? Duration.ZERO : wait;
  }

  /**
   * The wait that ends before the listener's idle timeout closes the connection under it: the request is silent
   * meanwhile, after a per-name delay of up to {@code accountMaxDelay}, and the verification still follows. Less
   * than {@link #WAIT} only for an idle timeout below it plus the delay and {@link #RESERVE} (47 s by default); zero
   * when nothing is left, the attempt then answered busy (503) at once rather than its connection closed unanswered.
   */
  static Duration waitWithin(Duration idleTimeout, Duration accountMaxDelay) {
    Duration left = idleTimeout.minus(accountMaxDelay).minus(RESERVE);
    return left.isNegative() ? Duration.ZERO : left.compareTo(WAIT) < 0 ? left : WAIT;
  }

  /**
   * @param attempt the verification and everything that records its outcome (failure or success) with the
   *     throttle before its future completes
   * @param blocked the answer when a block refuses the attempt
   * @param waitedTooLong the answer when the client's verifications in flight took up its limit for all of the
   *     wait
   */
  <T> Future<T> run(InetAddress client, Supplier<Future<T>> attempt, Function<Decision, T> blocked,
      Supplier<T> waitedTooLong) {
    return run(client, System.nanoTime() + wait.toNanos(), attempt, blocked, waitedTooLong);
  }

  private <T> Future<T> run(InetAddress client, long deadlineNanos, Supplier<Future<T>> attempt,
      Function<Decision, T> blocked, Supplier<T> waitedTooLong) {
    ThrottleService.Admission admission = throttle.admitVerification(client);
    if (admission.blocked() != null) {
      return Future.succeededFuture(blocked.apply(admission.blocked()));
    }
    if (admission.mustWait()) {
      if (System.nanoTime() - deadlineNanos >= 0) {
        return Future.succeededFuture(waitedTooLong.get());
      }
      Promise<T> later = Promise.promise();
      vertx.setTimer(POLL.toMillis(),
          id -> run(client, deadlineNanos, attempt, blocked, waitedTooLong).onComplete(later));
      return later.future();
    }
    Future<T> outcome;
    try {
      outcome = attempt.get();
    } catch (RuntimeException e) {
      throttle.verificationEnded(client, admission);
      throw e;
    }
    // After the outcome was recorded (failure or success), which happens before the future completes.
    return outcome.andThen(ar -> throttle.verificationEnded(client, admission));
  }
}
