package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * /health/ready answers anyone who reaches the admin listener, also one bound beyond loopback without TLS or
 * with {@code client-auth: requested} (probes and scrapers connect without a certificate). A failed check
 * therefore shows a cause class and a text written for the probe's reader, never the exception's own message,
 * which names internal hosts and addresses, database users, file paths or SQL.
 */
@ExtendWith(VertxExtension.class)
class ReadinessDetailTest {
  @Test
  void aFailedCheckShowsNoRawExceptionMessage(Vertx vertx, VertxTestContext test) {
    Readiness readiness = new Readiness(vertx);
    readiness.register("postgresql", () -> Future.failedFuture(
        new ConnectException("Connection refused: db-7.internal.example/10.20.30.40:5432")));
    readiness.register("hibp-set", () -> Future.succeededFuture("12 entries"));
    readiness.evaluate().onComplete(test.succeeding(report -> test.verify(() -> {
      assertThat(report.ready()).isFalse();
      String body = report.body().encode();
      assertThat(body).doesNotContain("db-7").doesNotContain("10.20.30.40").doesNotContain("5432");
      JsonObject postgres = check(report, "postgresql");
      assertThat(postgres.getString("status")).isEqualTo("DOWN");
      assertThat(postgres.getString("detail")).isEqualTo("unavailable (ConnectException); the reason is in the log");
      assertThat(check(report, "hibp-set").getString("status")).isEqualTo("UP");
      test.completeNow();
    })));
  }

  @Test
  void aFailureWithoutMessageShowsItsClassOnly(Vertx vertx, VertxTestContext test) {
    Readiness readiness = new Readiness(vertx);
    readiness.register("postgresql", () -> Future.failedFuture(new IllegalStateException("SELECT secret FROM x")));
    readiness.evaluate().onComplete(test.succeeding(report -> test.verify(() -> {
      assertThat(check(report, "postgresql").getString("detail"))
          .isEqualTo("unavailable (IllegalStateException); the reason is in the log");
      test.completeNow();
    })));
  }

  @Test
  void aCheckOwnReasonWrittenForTheReaderIsShownAsItIs(Vertx vertx, VertxTestContext test) {
    Readiness readiness = new Readiness(vertx);
    readiness.register("block-sync", () -> Readiness.down("not listening for block changes from other nodes"));
    readiness.evaluate().onComplete(test.succeeding(report -> test.verify(() -> {
      assertThat(check(report, "block-sync").getString("detail"))
          .isEqualTo("not listening for block changes from other nodes");
      test.completeNow();
    })));
  }

  private static JsonObject check(Readiness.Report report, String name) {
    return report.body().getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(c -> name.equals(c.getString("name"))).findFirst().orElseThrow();
  }
}
