/**
 * Passwords: Django-compatible PBKDF2-SHA256 hashing and verification, a bounded pool to run it
 * off the event loop, strength estimates and per-customer policy. No HTTP here.
 *
 * <p>Wiring, at start-up: {@code VerificationPool.create(vertx, settings)}, then
 * {@code new PasswordVerifier(pool, new DjangoPbkdf2Hasher(settings.iterations()), metrics)} for
 * login and {@code new PasswordPolicyChecker(StrengthEstimator.create(settings))} for password
 * changes, whose {@code check} runs on the pool via {@code pool.submit(() -> checker.check(...))}.
 * A {@link com.timereg.gateway.password.PoolSaturatedException} from any of them means 503 with
 * Retry-After.
 */
package com.timereg.gateway.password;
