package com.timereg.gateway.password;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * What the login and password-change flows call: hashing and verification on the bounded
 * {@link VerificationPool}, with metrics, and the same cost for unknown users as for wrong
 * passwords. Every future completes on the caller's context; a full pool fails it with
 * {@link PoolSaturatedException}.
 */
public final class PasswordVerifier {
  private static final Verification UNKNOWN_USER =
      new Verification(Verification.Outcome.MISMATCH, "unknown user (dummy verification)");

  private final VerificationPool pool;
  private final DjangoPbkdf2Hasher hasher;
  private final PasswordMetrics metrics;
  /** Well-formed, at the configured count, matching nothing: see verifyUnknownUser. */
  private final String dummyHash;

  public PasswordVerifier(VerificationPool pool, DjangoPbkdf2Hasher hasher, PasswordMetrics metrics) {
    this.pool = pool;
    this.hasher = hasher;
    this.metrics = metrics;
    this.dummyHash = hasher.unmatchableHash();
    metrics.bindPool(pool::queueDepth, pool::activeCount);
  }

  /**
   * Verifies {@code password} against the user's stored Django hash. A hash no password can match (another
   * Django hasher's, an absurd count, a damaged one) is answered after a dummy verification, as an unknown
   * user is: answered at once, its speed would tell that the account exists.
   */
  public Future<Verification> verify(String password, String storedHash) {
    return timed(() -> {
      Verification result = DjangoPbkdf2Hasher.verify(password, storedHash);
      if (result.outcome() == Verification.Outcome.MALFORMED) {
        DjangoPbkdf2Hasher.verify(password, dummyHash);
      }
      return result;
    }, false);
  }

  /**
   * For a login name that does not exist: runs a full verification at the configured iteration
   * count against a hash no password matches, so the response takes as long as a wrong password
   * and the timing does not tell which names exist. Always a mismatch. Users whose stored hash
   * is still at an older count take a different time; they converge as each successful login
   * rehashes to the configured count.
   */
  public Future<Verification> verifyUnknownUser(String password) {
    return timed(() -> {
      DjangoPbkdf2Hasher.verify(password, dummyHash);
      return UNKNOWN_USER;
    }, true);
  }

  /** A new Django hash of {@code password} at the configured iteration count. */
  public Future<String> hash(String password) {
    return onPool(() -> hasher.hash(password));
  }

  /** Whether a hash that just verified should be replaced (see DjangoPbkdf2Hasher.needsRehash). */
  public boolean needsRehash(String storedHash) {
    return hasher.needsRehash(storedHash);
  }

  /** The configured iteration count of new hashes (and of the dummy verification for unknown names). */
  public int iterations() {
    return hasher.iterations();
  }

  /** The iteration count of a stored hash, or -1 when it is not a usable pbkdf2_sha256 hash. */
  public static int storedIterations(String storedHash) {
    try {
      return StoredHash.parse(storedHash).iterations();
    } catch (StoredHash.MalformedHashException e) {
      return -1;
    }
  }

  private Future<Verification> timed(Supplier<Verification> work, boolean unknownUser) {
    return onPool(() -> {
      long start = System.nanoTime();
      Verification result = work.get();
      metrics.verification(unknownUser ? PasswordMetrics.Outcome.UNKNOWN_USER : outcome(result),
          System.nanoTime() - start);
      return result;
    });
  }

  /** Runs on the pool, recording the queue wait, and counting refusals by a full pool. */
  private <T> Future<T> onPool(Supplier<T> work) {
    long queued = System.nanoTime();
    return pool.submit(() -> {
      metrics.queueWait(System.nanoTime() - queued);
      return work.get();
    }).onFailure(failure -> {
      if (failure instanceof PoolSaturatedException) {
        metrics.verification(PasswordMetrics.Outcome.SATURATED, 0);
      }
    });
  }

  private static PasswordMetrics.Outcome outcome(Verification v) {
    switch (v.outcome()) {
      case MATCH:
        return PasswordMetrics.Outcome.MATCH;
      case MISMATCH:
        return PasswordMetrics.Outcome.MISMATCH;
      default:
        return PasswordMetrics.Outcome.MALFORMED;
    }
  }
}
