package com.timereg.gateway.password;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class PasswordVerifierTest {
  private static final int ITERATIONS = 1_000;

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private VerificationPool pool;
  private PasswordVerifier verifier;

  @BeforeEach
  void setUp(Vertx vertx) {
    pool = new VerificationPool(vertx, 1, 1, 2);
    verifier = new PasswordVerifier(pool, new DjangoPbkdf2Hasher(ITERATIONS),
        new MicrometerPasswordMetrics(registry));
  }

  @AfterEach
  void tearDown() {
    pool.close(1_000);
  }

  @Test
  void hashesAndVerifiesOnThePoolAndCountsOutcomes() throws Exception {
    String hash = await(verifier.hash("Sommer2024!"));

    assertThat(await(verifier.verify("Sommer2024!", hash)).matches()).isTrue();
    assertThat(await(verifier.verify("sommer2024!", hash)).outcome())
        .isEqualTo(Verification.Outcome.MISMATCH);
    assertThat(await(verifier.verify("Sommer2024!", "md5$x$y")).outcome())
        .isEqualTo(Verification.Outcome.MALFORMED);

    assertThat(timerCount("match")).isEqualTo(1);
    assertThat(timerCount("mismatch")).isEqualTo(1);
    assertThat(timerCount("malformed")).isEqualTo(1);
    assertThat(registry.get("gateway.password.queue.wait").timer().count()).isEqualTo(4);
  }

  @Test
  void unknownUserRunsAFullDummyVerificationAndNeverMatches() throws Exception {
    Verification result = await(verifier.verifyUnknownUser("Sommer2024!"));

    assertThat(result.matches()).isFalse();
    assertThat(result.outcome()).isEqualTo(Verification.Outcome.MISMATCH);
    assertThat(timerCount("unknown_user")).isEqualTo(1);
    assertThat(timerCount("mismatch")).isZero();
  }

  /**
   * A stored hash no password can match (Django's unusable "!" marker, another Django hasher's format) must cost
   * what a wrong password costs: answered at once, its speed would tell that the account exists. Measured as
   * CPU time of the one pool thread, so a busy machine does not change the ratio (a full verification at this
   * count is hundreds of times the parse, so a tenth of it is a wide margin either way).
   */
  @Test
  void unusableStoredHashCostsAsMuchAsAnUnknownUser(Vertx vertx) throws Exception {
    VerificationPool slowPool = new VerificationPool(vertx, 1, 4, 2);
    try {
      PasswordVerifier slow = new PasswordVerifier(slowPool, new DjangoPbkdf2Hasher(100_000), PasswordMetrics.NONE);
      long poolThread = await(slowPool.submit(() -> Thread.currentThread().getId()));
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long unknownUser = Long.MAX_VALUE;
      // The cheapest of a few, so the JIT's warm-up does not count: the two differ by a factor of hundreds.
      for (int i = 0; i < 5; i++) {
        long before = threads.getThreadCpuTime(poolThread);
        await(slow.verifyUnknownUser("Sommer2024!"));
        unknownUser = Math.min(unknownUser, threads.getThreadCpuTime(poolThread) - before);
      }

      for (String unusable : List.of("!Xk2Jd8sLq0PzW4mN7vB1cR5tY9uE3aF6gH0iJ2kL",
          "argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
          "bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
          "pbkdf2_sha256$2147483647$salt$key")) {
        long start = threads.getThreadCpuTime(poolThread);
        Verification result = await(slow.verify("Sommer2024!", unusable));
        long cost = threads.getThreadCpuTime(poolThread) - start;

        assertThat(result.outcome()).isEqualTo(Verification.Outcome.MALFORMED);
        assertThat(cost).as("CPU time for %s against %d ns for an unknown user", unusable.substring(0, 14),
            unknownUser).isGreaterThan(unknownUser / 10);
      }
    } finally {
      slowPool.close(1_000);
    }
  }

  @Test
  void countsRefusalsAndExposesPoolGauges() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    pool.submit(() -> {
      running.countDown();
      release.await();
      return null;
    });
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    Future<Verification> queued = verifier.verify("x", "md5$x$y");

    Future<Verification> refused = verifier.verify("x", "md5$x$y");

    assertThat(refused.cause()).isInstanceOf(PoolSaturatedException.class);
    assertThat(registry.get("gateway.password.rejected").counter().count()).isEqualTo(1);
    assertThat(registry.get("gateway.password.pool.active").gauge().value()).isEqualTo(1);
    assertThat(registry.get("gateway.password.pool.queue").gauge().value()).isEqualTo(1);
    release.countDown();
    await(queued);
  }

  @Test
  void flagsHashesBelowConfiguredIterationsForRehash() {
    assertThat(verifier.needsRehash(new DjangoPbkdf2Hasher(500).hash("x"))).isTrue();
    assertThat(verifier.needsRehash(new DjangoPbkdf2Hasher(ITERATIONS).hash("x"))).isFalse();
  }

  private long timerCount(String outcome) {
    return registry.get("gateway.password.verification").tag("outcome", outcome).timer().count();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
