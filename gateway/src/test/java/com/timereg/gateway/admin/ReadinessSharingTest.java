package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.testsupport.ManualClock;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Probes that come together share one run of the checks, and an answer serves the probes of the next
 * {@link Readiness#MAX_AGE}: the PostgreSQL check borrows a connection of the pool that logins need, so a probe
 * storm must not turn into a storm of {@code SELECT 1}.
 */
@ExtendWith(VertxExtension.class)
class ReadinessSharingTest {

  @Test
  void concurrentProbesShareOneRunOfTheChecks(Vertx vertx, VertxTestContext test) {
    AtomicInteger runs = new AtomicInteger();
    Promise<String> answer = Promise.promise();
    Readiness readiness = new Readiness(vertx, ManualClock.startingNow());
    readiness.register("postgresql", () -> {
      runs.incrementAndGet();
      return answer.future();
    });
    List<Future<Readiness.Report>> reports = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      reports.add(readiness.evaluate());
    }
    assertThat(runs.get()).isEqualTo(1);
    answer.complete("reachable");
    Future.all(reports).onComplete(test.succeeding(all -> test.verify(() -> {
      assertThat(reports).allSatisfy(r -> assertThat(r.result().ready()).isTrue());
      test.completeNow();
    })));
  }

  @Test
  void anAnswerServesUntilItIsMaxAgeOldThenTheChecksRunAgain(Vertx vertx, VertxTestContext test) {
    AtomicInteger runs = new AtomicInteger();
    ManualClock clock = ManualClock.startingNow();
    Readiness readiness = new Readiness(vertx, clock);
    readiness.register("postgresql", () -> {
      runs.incrementAndGet();
      return Future.succeededFuture("reachable");
    });
    readiness.evaluate()
        .compose(first -> {
          clock.advance(Readiness.MAX_AGE.minusMillis(1));
          return readiness.evaluate();
        })
        .compose(second -> {
          test.verify(() -> assertThat(runs.get()).isEqualTo(1));
          clock.advance(java.time.Duration.ofMillis(1));
          return readiness.evaluate();
        })
        .onComplete(test.succeeding(third -> test.verify(() -> {
          assertThat(runs.get()).isEqualTo(2);
          assertThat(third.ready()).isTrue();
          test.completeNow();
        })));
  }

  @Test
  void stoppingIsReportedAtOnceWhateverWasAnsweredBefore(Vertx vertx, VertxTestContext test) {
    Readiness readiness = new Readiness(vertx, ManualClock.startingNow());
    readiness.register("postgresql", () -> Future.succeededFuture("reachable"));
    readiness.evaluate().compose(up -> {
      test.verify(() -> assertThat(up.ready()).isTrue());
      readiness.stopping();
      return readiness.evaluate();
    }).onComplete(test.succeeding(r -> test.verify(() -> {
      assertThat(r.ready()).isFalse();
      assertThat(r.body().getString("status")).isEqualTo("STOPPING");
      test.completeNow();
    })));
  }
}
