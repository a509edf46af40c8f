package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.SourceClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API's explain view against what the throttle enforces, for clients that real TLS connections from
 * 127.0.0.0/8 name through a trusted proxy's X-Forwarded-For: the view must look at the key that is counted and
 * blocked, and say which it looked at.
 */
@ExtendWith(PostgresExtension.class)
class ThrottleExplainEndToEndTest {
  static final String USER = "ann@acme.test";
  static final int LIMIT = 3;

  @TempDir static Path dir;
  static ThrottledGateway gw;
  static Vertx vertx;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    gw = ThrottledGateway.startWithUser(dir, db, USER, Map.of(
        "GATEWAY_THROTTLE__IP_FAILURE_LIMIT", Integer.toString(LIMIT),
        "GATEWAY_THROTTLE__SURGE_FAILURES_PER_MINUTE", "10000",
        "GATEWAY_CLIENT_ADDRESS__TRUSTED_PROXIES", "127.0.8.0/24"));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    ThrottledGateway.closeIfStarted(gw);
    if (vertx != null) {
      vertx.close();
    }
  }

  private static JsonObject explain(String address) {
    try (SourceClient admin = SourceClient.admin(vertx, gw.gateway().adminPort())) {
      SourceClient.Reply r = admin.get("/admin/api/explain/" + address, Map.of());
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      return r.json();
    }
  }

  @Test
  void explainingAnIpv6AddressShowsTheLoginsOfTheWholeClientPrefixThatWasBlocked() {
    // docs/throttle.md: an IPv6 client is its /64, so failures from ::7 block ::5 too.
    Map<String, String> viaProxy = Map.of("X-Forwarded-For", "2001:db8:5::7");
    try (SourceClient proxy = gw.from("127.0.8.1")) {
      assertThat(proxy.failUntilBlocked(10, viaProxy)).isEqualTo(LIMIT);
      assertThat(proxy.get("/anything", Map.of("Accept", "application/json", "X-Forwarded-For", "2001:db8:5::5"))
          .status()).as("its neighbour in the /64 is blocked with it").isEqualTo(429);
    }

    JsonObject x = explain("2001:db8:5::5");
    assertThat(x.getBoolean("blocked")).isTrue();
    assertThat(x.getJsonObject("decision").getString("subject")).isEqualTo("2001:db8:5::/64");
    assertThat(x.getJsonObject("client").getString("subject")).isEqualTo("2001:db8:5::/64");
    assertThat(x.getJsonObject("client").getLong("totalFailures")).isEqualTo(LIMIT);
    JsonObject history = x.getJsonObject("history");
    JsonArray logins = history.getJsonArray("logins");
    assertThat(logins).as("the failures that blocked it, though they came from ::7").hasSize(LIMIT);
    for (int i = 0; i < logins.size(); i++) {
      assertThat(logins.getJsonObject(i).getString("address")).isEqualTo("2001:db8:5::7");
      assertThat(logins.getJsonObject(i).getString("outcome")).isEqualTo("failed");
    }
    assertThat(history.getString("loginsFrom")).as("the prefix the logins were looked up in").isEqualTo("2001:db8:5::/64");

    JsonObject outside = explain("2001:db8:5:1::7");
    assertThat(outside.getJsonObject("history").getString("loginsFrom")).isEqualTo("2001:db8:5:1::/64");
    assertThat(outside.getJsonObject("history").getJsonArray("logins")).as("another /64 of the same /48").isEmpty();
    JsonObject v4 = explain("127.0.8.1");
    assertThat(v4.getJsonObject("history").getString("loginsFrom")).isEqualTo("127.0.8.1/32");
  }
}
