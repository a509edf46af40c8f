package com.timereg.gateway.password;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Gateway-wide settings of the password subsystem. Per-customer rules live in
 * {@link PasswordPolicy}.
 *
 * @param iterations PBKDF2 iterations for new hashes and for the dummy verification of unknown
 *     users; stored hashes below it are upgraded on the next successful login
 * @param poolThreads threads of the dedicated verification pool
 * @param poolQueueCapacity verifications that may wait for a thread; beyond it, callers are
 *     refused at once with {@link PoolSaturatedException} rather than queued into latency
 * @param retryAfterSeconds what a refused caller is told to wait (the HTTP Retry-After)
 * @param estimateMaxChars leading characters of a password the strength estimate looks at; the
 *     estimators are super-linear on hostile input (docs/password-strength.md). The breach check
 *     and the hash always use the whole password.
 * @param extraDictionaries word-list files (UTF-8, one word per line, e.g. /usr/share/dict/danish)
 *     whose words the strength estimate treats as dictionary words
 */
public record PasswordSettings(
    int iterations,
    int poolThreads,
    int poolQueueCapacity,
    int retryAfterSeconds,
    int estimateMaxChars,
    List<Path> extraDictionaries) {

  /** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256, and Django 5's default. */
  public static final int DEFAULT_ITERATIONS = 600_000;
  /** New hashes below this are refused: a misconfiguration, not a tuning choice. */
  public static final int MIN_ITERATIONS = 1_000;
  /** One thread per core: PBKDF2 is pure CPU, more threads only add switching. */
  public static final int DEFAULT_POOL_THREADS = Runtime.getRuntime().availableProcessors();
  /** Queue per thread: a few verifications (a few hundred ms at the default count) of backlog. */
  public static final int DEFAULT_QUEUE_PER_THREAD = 4;
  public static final int DEFAULT_RETRY_AFTER_SECONDS = 1;
  /** Enough for any password a person types; cheap for both estimators even when hostile. */
  public static final int DEFAULT_ESTIMATE_MAX_CHARS = 64;

  public static final PasswordSettings DEFAULTS = new PasswordSettings(
      DEFAULT_ITERATIONS,
      DEFAULT_POOL_THREADS,
      DEFAULT_QUEUE_PER_THREAD * DEFAULT_POOL_THREADS,
      DEFAULT_RETRY_AFTER_SECONDS,
      DEFAULT_ESTIMATE_MAX_CHARS,
      List.of());

  public PasswordSettings {
    extraDictionaries = List.copyOf(extraDictionaries);
    List<String> errors = new ArrayList<>();
    if (iterations < MIN_ITERATIONS || iterations > DjangoPbkdf2Hasher.MAX_ITERATIONS) {
      errors.add("iterations must be in " + MIN_ITERATIONS + ".." + DjangoPbkdf2Hasher.MAX_ITERATIONS);
    }
    if (poolThreads < 1) {
      errors.add("poolThreads must be at least 1");
    }
    if (poolQueueCapacity < 1) {
      errors.add("poolQueueCapacity must be at least 1");
    }
    if (retryAfterSeconds < 1) {
      errors.add("retryAfterSeconds must be at least 1");
    }
    if (estimateMaxChars < 16) {
      errors.add("estimateMaxChars must be at least 16");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
  }

  public PasswordSettings withIterations(int newIterations) {
    return new PasswordSettings(newIterations, poolThreads, poolQueueCapacity, retryAfterSeconds,
        estimateMaxChars, extraDictionaries);
  }

  public PasswordSettings withPool(int threads, int queueCapacity) {
    return new PasswordSettings(iterations, threads, queueCapacity, retryAfterSeconds,
        estimateMaxChars, extraDictionaries);
  }

  public PasswordSettings withExtraDictionaries(List<Path> files) {
    return new PasswordSettings(iterations, poolThreads, poolQueueCapacity, retryAfterSeconds,
        estimateMaxChars, files);
  }
}
