package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.ConnectionSettings;
import com.timereg.gateway.store.DevDatabase;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Dev mode works out of the box: its first start builds a demo breach set and points the gateway at it. */
@ExtendWith(PostgresExtension.class)
class DevModeDemoSetTest {
  @TempDir Path dir;

  @Test
  void firstStartBuildsTheDemoSetAndCommonPasswordsAreRefused(TestDatabase db) throws Exception {
    ConnectionSettings s = db.settings();
    String url = "postgresql://" + encode(s.user()) + ":" + encode(s.password()) + "@" + s.host() + ":" + s.port()
        + "/" + s.database();
    DevMode.DemoUser alice = DevMode.USERS.get(0);

    try (DevMode dev = DevMode.start(TestGateways.config(dir, db, Map.of("GATEWAY_PASSWORD__ITERATIONS", "1000")),
            Map.of(DevDatabase.URL_ENV, url));
        PublicClient client = PublicClient.https(dev.gateway().publicPort());
        PublicClient admin = PublicClient.plain(dev.gateway().adminPort())) {
      assertThat(dir.resolve("data").resolve("hibp").resolve("demo.set")).isRegularFile();
      assertThat(BreachSetSwapTest.hibpCheck(admin)).startsWith("130,000 entries, built ");
      String token = client.tokens(alice.loginName(), alice.password()).getString("access_token");

      JsonObject verdict = client.postJson("/password/check", token, new JsonObject().put("new_password", "iloveyou")).json();

      assertThat(verdict.getBoolean("pwned")).isTrue();
      assertThat(verdict.getJsonArray("reasons").getJsonObject(0).getString("message"))
          .matches("appears at least [0-9,]+ times in known data breaches");
    }
    assertThat(Files.size(dir.resolve("data").resolve("hibp").resolve("demo.set"))).isLessThan(1_000_000);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
