package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.Gateway;
import com.timereg.gateway.edge.TestGateways;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input the admin API cannot read (broken percent escapes, a long chain of duration units) must be
 * a 4xx with the API's JSON error, never a 500 (docs/admin.md, "Errors").
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class AdminApiUnreadableInputTest {
  @TempDir static Path dir;
  static Gateway gateway;
  static AdminHttp api;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    gateway = Gateway.start(TestGateways.config(dir, db, Map.of()));
    api = new AdminHttp(gateway.adminPort());
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  private static RawHttp.Response raw(String method, String target, String extraHeaders) throws Exception {
    int port = gateway.adminPort();
    return RawHttp.plain(port, method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
        + "X-Requested-With: gateway-console\r\n" + extraHeaders);
  }

  private static void assertJson400(String what, RawHttp.Response r) {
    assertThat(r.status()).as(what + " -> " + r.head() + "\n" + r.body()).isEqualTo(400);
    JsonObject json;
    try {
      json = new JsonObject(r.body());
    } catch (RuntimeException e) {
      throw new AssertionError(what + ": the 400 is not the API's JSON error: '" + r.body() + "'", e);
    }
    assertThat(json.getString("error")).as(what).isEqualTo("invalid");
    assertThat(json.getString("message")).as(what).isNotBlank();
    assertThat(r.body()).doesNotContain("Exception");
  }

  @Test
  void brokenPercentEscapeInAQueryParameterIsA400NotA500() throws Exception {
    for (String target : List.of("/admin/api/blocks?q=%ZZ", "/admin/api/blocks?q=192.0.2.1%2", "/admin/api/events?type=%",
        "/admin/api/allowlist?offset=%G1")) {
      assertJson400("GET " + target, raw("GET", target, ""));
    }
  }

  @Test
  void brokenPercentEscapeInAPathParameterIsTheApisJson400() throws Exception {
    assertJson400("GET explain", raw("GET", "/admin/api/explain/192.0.2.1%ZZ", ""));
    assertJson400("DELETE block", raw("DELETE", "/admin/api/blocks/192.0.2.0%2", ""));
  }

  @Test
  void anHttp11RequestWithoutHostIsA400NotA500() throws Exception {
    RawHttp.Response r = RawHttp.plain(gateway.adminPort(), "GET /admin/api/blocks HTTP/1.1\r\n");
    assertJson400("GET without Host", r);
  }

  /**
   * Paging numbers are plain ASCII digits: a plus sign, full-width or Arabic-Indic digits were taken by
   * Integer.parseInt as 5 (200); a number too long for an int was called "not a whole number".
   */
  @Test
  void aNumberWithAPlusSignOrDigitsOfAnotherScriptIsA400() throws Exception {
    for (String target : List.of("/admin/api/blocks?offset=%2B5", "/admin/api/blocks?limit=%EF%BC%95",
        "/admin/api/events?limit=%D9%A5", "/admin/api/allowlist?offset=%F0%9D%9F%93", "/admin/api/blocks?limit=-")) {
      RawHttp.Response r = raw("GET", target, "");
      assertJson400("GET " + target, r);
      assertThat(new JsonObject(r.body()).getString("message")).as(target).contains("must be a whole number in the digits 0-9");
    }
    RawHttp.Response huge = raw("GET", "/admin/api/blocks?offset=99999999999999999999", "");
    assertJson400("a number too long for an int", huge);
    assertThat(new JsonObject(huge.body()).getString("message")).contains("offset must be between 0 and 2147483647");
    assertThat(raw("GET", "/admin/api/blocks?offset=0003&limit=007", "").status()).isEqualTo(200);
  }

  @Test
  void aLongChainOfDurationUnitsIsReadNotA500() {
    // 7000 one-minute parts: 4 days 20 h 40 min, well inside the 30-day bound, in under 16 KB.
    String duration = "1m".repeat(7000);
    AdminHttp.Response r = api.post("/admin/api/blocks",
        new JsonObject().put("target", "198.18.99.1").put("duration", duration).put("reason", "long chain"));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    JsonObject b = r.json();
    assertThat(Duration.between(Instant.parse(b.getString("createdAt")), Instant.parse(b.getString("expiresAt"))))
        .isEqualTo(Duration.ofMinutes(7000));
  }
}
