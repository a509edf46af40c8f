package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without a breach set the gateway fails closed for password changes only: it stays ready, logins
 * work, changes are refused with a message saying why, unless {@code hibp.allow-without-set}.
 */
@ExtendWith(PostgresExtension.class)
class BreachSetAbsentTest {
  static final String OLD = "Original-Quartz-Meadow-11";
  static final String NEW = "Plum-Anchor-Velvet-42";

  @TempDir Path dir;

  private static Gateway start(Path dir, TestDatabase db, Map<String, String> extra) throws Exception {
    TestAccounts.customer(db, "absent", "Absent AS", 3, 8);
    Map<String, String> env = new HashMap<>(extra);
    env.put("GATEWAY_PASSWORD__ITERATIONS", Integer.toString(TestAccounts.ITERATIONS));
    return Gateway.start(TestGateways.config(dir, db, env));
  }

  @Test
  void withoutASetLoginWorksButPasswordChangesAreRefusedSayingWhy(TestDatabase db) throws Exception {
    Gateway gateway = start(dir, db, Map.of());
    try (PublicClient client = PublicClient.https(gateway.publicPort());
        PublicClient admin = PublicClient.plain(gateway.adminPort())) {
      TestAccounts.User user = TestAccounts.user(db, "absent", "closed", OLD);
      String token = client.tokens(user.login(), OLD).getString("access_token");

      PublicClient.Response refused = client.postJson("/password", token,
          new JsonObject().put("current_password", OLD).put("new_password", NEW));
      JsonObject verdict = client.postJson("/password/check", token, new JsonObject().put("new_password", NEW)).json();
      PublicClient.Response ready = admin.get("/health/ready");

      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.json().getString("error")).isEqualTo("breach_check_unavailable");
      assertThat(refused.json().getString("message")).isEqualTo("Password changes are switched off until the list of "
          + "passwords known from data breaches is loaded. Please try again later.");
      assertThat(verdict.getBoolean("meets_policy")).isFalse();
      assertThat(verdict.getJsonArray("reasons").getJsonObject(0).getString("code")).isEqualTo("breach_check_unavailable");
      assertThat(ready.status()).isEqualTo(200);
      assertThat(BreachSetSwapTest.hibpCheck(admin)).isEqualTo("no breach set: password changes refused");
      client.tokens(user.login(), OLD);
    } finally {
      gateway.stop();
    }
  }

  @Test
  void allowWithoutSetAcceptsChangesWithoutABreachCheck(TestDatabase db) throws Exception {
    Gateway gateway = start(dir, db, Map.of("GATEWAY_HIBP__ALLOW_WITHOUT_SET", "true"));
    try (PublicClient client = PublicClient.https(gateway.publicPort());
        PublicClient admin = PublicClient.plain(gateway.adminPort())) {
      TestAccounts.User user = TestAccounts.user(db, "absent", "open", OLD);
      String token = client.tokens(user.login(), OLD).getString("access_token");

      PublicClient.Response changed = client.postJson("/password", token,
          new JsonObject().put("current_password", OLD).put("new_password", NEW));

      assertThat(changed.status()).as(changed.body()).isEqualTo(204);
      assertThat(BreachSetSwapTest.hibpCheck(admin))
          .isEqualTo("no breach set: password changes allowed without a breach check (hibp.allow-without-set)");
      client.tokens(user.login(), NEW);
    } finally {
      gateway.stop();
    }
  }
}
