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
 *
 * <p>{@code Pbkdf2Sha256.backend()} names the PBKDF2 backend in use, for the start-up and readiness
 * logs: {@code JDK_SHA256_INTRINSIC} needs the root pom's
 * {@code --add-opens java.base/sun.security.provider=ALL-UNNAMED}; without it logins cost several
 * times more CPU ({@code PURE_JAVA}, logged as a WARN). See docs/benchmarks.md.
 */
package com.timereg.gateway.password;
