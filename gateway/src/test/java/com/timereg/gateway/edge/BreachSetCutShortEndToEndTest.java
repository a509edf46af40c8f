package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.breach.BreachSetFiles;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The set file in use cut short in place (an operator's {@code cp} over it instead of the loader's rename), through
 * the real gateway: the password change answers 503 {@code breach_check_unavailable} and the strength check says
 * so, without a stack trace, whether the lookup meets the cut mapping (the length check) or the watcher has dropped
 * the set already; readiness names the problem; renaming an intact file into place recovers. (A cut landing after
 * the length check, mid-lookup, faults into an InternalError: BreachLookupFaultTest.)
 */
@ExtendWith(PostgresExtension.class)
class BreachSetCutShortEndToEndTest {
  static final String OLD = "Original-Quartz-Meadow-11";
  static final String NEW = "Plum-Anchor-Velvet-42";
  static final int POLLS = 50;
  static final long POLL_MILLIS = 100;

  @TempDir Path dir;

  @Test
  void aSetCutShortInPlaceRefusesChangesCleanlyUntilAnIntactFileIsRenamedIn(TestDatabase db) throws Exception {
    Path setFile = dir.resolve("hibp").resolve("current.set");
    BreachSetFiles.write(setFile, Map.of("hunter2", 17_000L), 200_000, 1, Instant.parse("2026-01-01T00:00:00Z"));
    TestAccounts.customer(db, "cut", "Cut ApS", 3, 8);
    Gateway gateway = Gateway.start(TestGateways.config(dir, db, Map.of(
        "GATEWAY_HIBP__SET_PATH", setFile.toString(),
        "GATEWAY_HIBP__RELOAD_INTERVAL", POLL_MILLIS + "ms",
        "GATEWAY_PASSWORD__ITERATIONS", Integer.toString(TestAccounts.ITERATIONS))));
    try (PublicClient client = PublicClient.https(gateway.publicPort());
        PublicClient admin = PublicClient.plain(gateway.adminPort())) {
      TestAccounts.User user = TestAccounts.user(db, "cut", "cut", OLD);
      String token = client.tokens(user.login(), OLD).getString("access_token");
      assertThat(BreachSetSwapTest.hibpCheck(admin)).startsWith("200,001 entries");

      try (RandomAccessFile raf = new RandomAccessFile(setFile.toFile(), "rw")) {
        raf.setLength(4096);
      }
      PublicClient.Response change = client.postJson("/password", token,
          new JsonObject().put("current_password", OLD).put("new_password", NEW));
      PublicClient.Response check = client.postJson("/password/check", token, new JsonObject().put("new_password", NEW));
      assertThat(change.status()).as(change.body()).isEqualTo(503);
      assertThat(change.json().getString("error")).isEqualTo("breach_check_unavailable");
      assertThat(change.body()).doesNotContain("Exception", "Error", "\tat ", "current.set");
      assertThat(check.status()).as(check.body()).isEqualTo(200);
      assertThat(check.json().getJsonArray("reasons").getJsonObject(0).getString("code"))
          .isEqualTo("breach_check_unavailable");

      String broken = poll(admin, "no breach set (hibp.set-path: ");
      assertThat(broken).startsWith("no breach set (hibp.set-path: ").endsWith(": password changes refused");
      assertThat(admin.get("/health/ready").status()).isEqualTo(200);

      BreachSetFiles.write(setFile, Map.of("hunter2", 17_000L), 3_000, 2, Instant.parse("2026-02-01T00:00:00Z"));
      assertThat(poll(admin, "3,001 entries")).startsWith("3,001 entries, built 2026-02-01");
      JsonObject verdict = client.postJson("/password/check", token, new JsonObject().put("new_password", NEW)).json();
      assertThat(verdict.getBoolean("meets_policy")).as(verdict.encode()).isTrue();
      PublicClient.Response changed = client.postJson("/password", token,
          new JsonObject().put("current_password", OLD).put("new_password", NEW));
      assertThat(changed.status()).as(changed.body()).isEqualTo(204);
    } finally {
      gateway.stop();
    }
  }

  /** The breach-set check's detail once it starts with {@code prefix}, or the last one after {@link #POLLS} looks. */
  private static String poll(PublicClient admin, String prefix) throws InterruptedException {
    String last = null;
    for (int i = 0; i < POLLS; i++) {
      last = BreachSetSwapTest.hibpCheck(admin);
      if (last.startsWith(prefix)) {
        return last;
      }
      Thread.sleep(POLL_MILLIS);
    }
    return last;
  }
}
