package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.Gateway;
import com.timereg.gateway.edge.TestGateways;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.throttle.FailureKind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API on a real gateway (loopback admin listener) with real PostgreSQL: every operation,
 * validation, paging and the audit rows edits leave. Each test uses its own addresses, so the
 * tests share one gateway without seeing each other's blocks.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class SecurityConsoleApiTest {
  @TempDir static Path dir;
  static Gateway gateway;
  static AdminHttp api;
  static TestDatabase database;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    database = db;
    gateway = Gateway.start(TestGateways.config(dir, db, Map.of("GATEWAY_THROTTLE__ALLOWLIST", "10.99.0.0/16")));
    api = new AdminHttp(gateway.adminPort());
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  private static AdminHttp.Response as(String actor, String method, String path, JsonObject body) {
    Map<String, String> headers = new java.util.HashMap<>(Map.of("X-Admin-Actor", actor));
    if (!method.equals("GET")) {
      headers.put("X-Requested-With", "gateway-console");
    }
    return api.send(method, path, body == null ? null : body.encode(), headers);
  }

  private static void failTenTimes(String address) throws Exception {
    InetAddress a = InetAddress.getByName(address);
    for (int i = 0; i < 10; i++) {
      gateway.throttle().recordFailure(a, null, FailureKind.WRONG_PASSWORD);
    }
  }

  private static List<String> cidrs(JsonObject page) {
    List<String> out = new ArrayList<>();
    page.getJsonArray("items").forEach(o -> out.add(((JsonObject) o).getString("cidr")));
    return out;
  }

  /** Audit rows for a subject: action and actor, newest last. */
  private static List<String> audit(String subject) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = database.openJdbc(); PreparedStatement s = c.prepareStatement(
        "SELECT action, actor FROM audit_events WHERE subject = ?::cidr ORDER BY id")) {
      s.setString(1, subject);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(r.getString(1) + " by " + r.getString(2));
        }
      }
    }
    return out;
  }

  @Test
  void manualBlockIsListedWithItsMakerAndAudited() throws Exception {
    AdminHttp.Response made = as("alice", "POST", "/admin/api/blocks",
        new JsonObject().put("target", "203.0.113.0/24").put("duration", "2h").put("reason", "SEC-1 stuffing"));
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    assertThat(made.json().getString("createdBy")).isEqualTo("alice");

    JsonObject page = api.get("/admin/api/blocks?q=203.0.113.77&kind=manual&active=true").json();
    assertThat(cidrs(page)).containsExactly("203.0.113.0/24");
    JsonObject b = page.getJsonArray("items").getJsonObject(0);
    assertThat(b.getString("kind")).isEqualTo("manual");
    assertThat(b.getString("note")).isEqualTo("SEC-1 stuffing");
    assertThat(b.getBoolean("active")).isTrue();
    assertThat(Duration.between(java.time.Instant.parse(b.getString("createdAt")),
        java.time.Instant.parse(b.getString("expiresAt")))).isEqualTo(Duration.ofHours(2));
    assertThat(api.get("/admin/api/blocks?q=203.0.113.77&kind=automatic").json().getLong("total")).isZero();

    JsonObject explained = api.get("/admin/api/explain/203.0.113.77").json();
    assertThat(explained.getBoolean("blocked")).isTrue();
    assertThat(explained.getJsonObject("decision").getString("kind")).isEqualTo("manual");
    assertThat(explained.getJsonObject("manualBlock").getString("createdBy")).isEqualTo("alice");
    assertThat(audit("203.0.113.0/24")).containsExactly("block by alice");
  }

  /**
   * The allowlist wins over every block (docs/blocks.md), so a manual block inside an allowlisted range, or one
   * covering such a range, is not enforced there: the answer names the entries, instead of staff finding out from
   * a guesser still let through.
   */
  @Test
  void aBlockSharingAddressesWithTheAllowlistNamesTheEntriesThatWin() {
    JsonObject inside = api.post("/admin/api/blocks",
        new JsonObject().put("target", "10.99.4.0/24").put("duration", "1h").put("reason", "inside")).json();
    assertThat(inside.getJsonArray("allowlistOverlaps").stream().map(o -> ((JsonObject) o).getString("cidr")))
        .containsExactly("10.99.0.0/16");
    assertThat(inside.getJsonArray("allowlistOverlaps").getJsonObject(0).getString("source")).isEqualTo("configuration");
    JsonObject covering = api.post("/admin/api/blocks",
        new JsonObject().put("target", "10.0.0.0/8").put("duration", "1h").put("reason", "covering")).json();
    assertThat(covering.getJsonArray("allowlistOverlaps").stream().map(o -> ((JsonObject) o).getString("cidr")))
        .containsExactly("10.99.0.0/16");
    JsonObject apart = api.post("/admin/api/blocks",
        new JsonObject().put("target", "203.0.115.9").put("duration", "1h").put("reason", "apart")).json();
    assertThat(apart.getJsonArray("allowlistOverlaps")).isEmpty();
    assertThat(api.delete("/admin/api/blocks/10.0.0.0%2F8", new JsonObject().put("reason", "test done")).status())
        .isEqualTo(200);
    assertThat(api.delete("/admin/api/blocks/10.99.4.0%2F24", new JsonObject().put("reason", "test done")).status())
        .isEqualTo(200);
  }

  @Test
  void isoDurationsAreAcceptedToo() {
    AdminHttp.Response made = api.post("/admin/api/blocks",
        new JsonObject().put("target", "203.0.114.9").put("duration", "PT15M").put("reason", "iso"));
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    assertThat(made.json().getString("createdBy")).isEqualTo("local");
    JsonObject b = made.json();
    assertThat(Duration.between(java.time.Instant.parse(b.getString("createdAt")),
        java.time.Instant.parse(b.getString("expiresAt")))).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void automaticBlockIsExplainedAndLiftedByUnblockEverywhereAudited() throws Exception {
    failTenTimes("192.0.2.10");
    AdminHttp.eventually(Duration.ofSeconds(10), "automatic block written",
        () -> api.get("/admin/api/blocks?q=192.0.2.10&active=true").json().getLong("total") == 1);
    JsonObject listed = api.get("/admin/api/blocks?q=192.0.2.10&active=true").json().getJsonArray("items").getJsonObject(0);
    assertThat(listed.getString("cidr")).isEqualTo("192.0.2.10/32");
    assertThat(listed.getString("kind")).isEqualTo("client");
    assertThat(listed.getLong("invalidLogins")).isEqualTo(10);
    assertThat(listed.getString("firstSeen")).isNotNull();
    assertThat(listed.getString("createdBy")).isNull();

    JsonObject x = api.get("/admin/api/explain/192.0.2.10").json();
    assertThat(x.getBoolean("blocked")).isTrue();
    assertThat(x.getJsonObject("decision").getString("kind")).isEqualTo("client");
    assertThat(x.getJsonObject("decision").getString("subject")).isEqualTo("192.0.2.10/32");
    assertThat(x.getJsonObject("client").getInteger("failureLimit")).isEqualTo(10);
    assertThat(x.getJsonObject("client").getLong("totalFailures")).isEqualTo(10);
    assertThat(x.getJsonObject("range").getString("subject")).isEqualTo("192.0.2.0/24");
    assertThat(x.getJsonObject("surge").getBoolean("active")).isFalse();
    assertThat(x.getJsonObject("history").getJsonArray("blocks")).hasSize(1);
    // The address as a NAT64 translator names it is the IPv4 client it is enforced as (ClientAddressResolver), not
    // an IPv6 key of its own that nothing ever counted.
    for (String nat64 : List.of("64:ff9b::c000:20a", "64:ff9b::192.0.2.10")) {
      JsonObject n = api.get("/admin/api/explain/" + nat64).json();
      assertThat(n.getString("address")).as(nat64).isEqualTo("192.0.2.10");
      assertThat(n.getBoolean("blocked")).as(nat64).isTrue();
      assertThat(n.getJsonObject("client").getLong("totalFailures")).as(nat64).isEqualTo(10);
    }

    AdminHttp.Response lifted = as("bob", "DELETE", "/admin/api/blocks/192.0.2.10%2F32",
        new JsonObject().put("reason", "customer called, ticket 7"));
    assertThat(lifted.status()).as(lifted.body()).isEqualTo(200);
    assertThat(lifted.json().getJsonArray("lifted")).hasSize(1);

    assertThat(api.get("/admin/api/explain/192.0.2.10").json().getBoolean("blocked")).isFalse();
    assertThat(api.get("/admin/api/blocks?q=192.0.2.10&active=true").json().getLong("total")).isZero();
    JsonObject ended = api.get("/admin/api/blocks?q=192.0.2.10").json().getJsonArray("items").getJsonObject(0);
    assertThat(ended.getString("liftedBy")).isEqualTo("bob");
    assertThat(ended.getString("liftReason")).isEqualTo("customer called, ticket 7");
    assertThat(audit("192.0.2.10/32")).containsExactly("block-issued-automatic by null", "unblock by bob");
  }

  @Test
  void anIpv6AddressIsExplainedWithTheHistoryOfItsSlash64() throws Exception {
    // Counted and blocked per /64: the unblock that lifted the block of 2001:db8:77:1::5 may name another address of
    // that /64, and explaining ::5 must show it, or staff see a lifted block without knowing who lifted it or why.
    failTenTimes("2001:db8:77:1::5");
    AdminHttp.eventually(Duration.ofSeconds(10), "automatic block written",
        () -> api.get("/admin/api/blocks?q=2001:db8:77:1::5&active=true").json().getLong("total") == 1);
    AdminHttp.Response r = as("erin", "POST", "/admin/api/unblock",
        new JsonObject().put("target", "2001:db8:77:1::7").put("reason", "SEC-77 same office"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getJsonArray("lifted")).hasSize(1);

    JsonObject x = api.get("/admin/api/explain/2001:db8:77:1::5").json();
    assertThat(x.getBoolean("blocked")).isFalse();
    JsonObject history = x.getJsonObject("history");
    List<String> events = new ArrayList<>();
    history.getJsonArray("events").forEach(o -> events.add(((JsonObject) o).getString("action") + " "
        + ((JsonObject) o).getString("subject") + " by " + ((JsonObject) o).getString("actor")));
    assertThat(events).containsExactly("unblock 2001:db8:77:1::7/128 by erin",
        "block-issued-automatic 2001:db8:77:1::/64 by null");
    assertThat(history.getString("subject")).isEqualTo("2001:db8:77:1::/64");
    assertThat(history.getJsonArray("blocks")).hasSize(1);
    assertThat(history.getJsonArray("blocks").getJsonObject(0).getString("liftedBy")).isEqualTo("erin");
  }

  @Test
  void unblockByPostTakesTargetAndReason() throws Exception {
    failTenTimes("192.0.2.20");
    AdminHttp.eventually(Duration.ofSeconds(10), "automatic block written",
        () -> api.get("/admin/api/blocks?q=192.0.2.20&active=true").json().getLong("total") == 1);
    AdminHttp.Response r = api.post("/admin/api/unblock", new JsonObject().put("target", "192.0.2.20").put("reason", "ok"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getString("target")).isEqualTo("192.0.2.20/32");
    assertThat(api.get("/admin/api/explain/192.0.2.20").json().getBoolean("blocked")).isFalse();
  }

  @Test
  void badInputIsRefusedWith400AndAClearMessage() {
    record Case(String method, String path, String body, String message) {}
    List<Case> cases = List.of(
        new Case("POST", "/admin/api/blocks", "{\"target\":\"300.1.2.3\",\"duration\":\"1h\",\"reason\":\"x\"}",
            "'300.1.2.3' is not an IPv4 or IPv6 address literal"),
        new Case("POST", "/admin/api/blocks", "{\"target\":\"10.1.2.3/24\",\"duration\":\"1h\",\"reason\":\"x\"}",
            "did you mean 10.1.2.0/24?"),
        new Case("POST", "/admin/api/blocks", "{\"target\":\"10.1.2.0/33\",\"duration\":\"1h\",\"reason\":\"x\"}",
            "IPv4 allows at most 32"),
        new Case("POST", "/admin/api/blocks", "{\"target\":\"0.0.0.0/4\",\"duration\":\"1h\",\"reason\":\"x\"}",
            "is too wide"),
        new Case("POST", "/admin/api/blocks", "{\"target\":\"10.1.2.3\",\"duration\":\"-15m\",\"reason\":\"x\"}",
            "duration must be positive, was '-15m'"),
        new Case("POST", "/admin/api/blocks", "{\"target\":\"10.1.2.3\",\"duration\":\"0m\",\"reason\":\"x\"}",
            "duration must be positive"),
        new Case("POST", "/admin/api/blocks", "{\"target\":\"10.1.2.3\",\"duration\":\"400d\",\"reason\":\"x\"}",
            "may last at most 30 days"),
        new Case("POST", "/admin/api/blocks", "{\"target\":\"10.1.2.3\",\"duration\":\"99999999999999d\",\"reason\":\"x\"}",
            "is not understood"),
        new Case("POST", "/admin/api/blocks", "{\"target\":\"10.1.2.3\",\"duration\":\"PT99999H\",\"reason\":\"x\"}",
            "may last at most 30 days"),
        new Case("POST", "/admin/api/blocks", "{\"target\":\"10.1.2.3\",\"duration\":\"-PT-9223372036854775808S\",\"reason\":\"x\"}",
            "duration must be positive"),
        new Case("POST", "/admin/api/blocks", "{\"target\":\"10.1.2.3\",\"duration\":\"PT9223372036854775807S\",\"reason\":\"x\"}",
            "may last at most 30 days"),
        new Case("POST", "/admin/api/blocks", "{\"target\":\"10.1.2.3\",\"duration\":\"soon\",\"reason\":\"x\"}",
            "duration 'soon' is not understood"),
        new Case("POST", "/admin/api/blocks", "{\"target\":\"10.1.2.3\",\"duration\":\"1h\"}", "a reason is required"),
        new Case("POST", "/admin/api/blocks", "{\"duration\":\"1h\",\"reason\":\"x\"}", "target is required"),
        new Case("POST", "/admin/api/blocks", "{\"target\":42,\"duration\":\"1h\",\"reason\":\"x\"}", "target must be a string"),
        new Case("POST", "/admin/api/blocks", "{not json", "not a JSON object"),
        new Case("POST", "/admin/api/blocks", "[1,2]", "not a JSON object"),
        new Case("POST", "/admin/api/unblock", "{\"target\":\"fe80::1%eth0\",\"reason\":\"x\"}", "is not an IPv4 or IPv6"),
        new Case("DELETE", "/admin/api/blocks/10.0.0.0%2F99", "{\"reason\":\"x\"}", "IPv4 allows at most 32"),
        new Case("POST", "/admin/api/allowlist", "{\"target\":\"10.1.2.0/24\"}", "a note is required"),
        new Case("GET", "/admin/api/explain/not-an-ip", null, "is not an IPv4 or IPv6 address literal"),
        new Case("GET", "/admin/api/explain/10.1.2.0%2F24", null, "explain takes one address, not the range"),
        new Case("GET", "/admin/api/blocks?q=10.1.2.3%2F8", null, "has bits set after the /8 prefix"),
        new Case("GET", "/admin/api/blocks?limit=501", null, "limit must be between 1 and 500, was 501"),
        new Case("GET", "/admin/api/blocks?limit=0", null, "limit must be between 1 and 500, was 0"),
        new Case("GET", "/admin/api/blocks?offset=-1", null, "offset must be between 0"),
        new Case("GET", "/admin/api/blocks?offset=x", null, "offset must be a whole number"),
        new Case("GET", "/admin/api/blocks?kind=evil", null, "kind must be one of [any, automatic, manual]"),
        new Case("GET", "/admin/api/blocks?sort=random", null, "sort must be one of [count, expiry, newest]"),
        new Case("GET", "/admin/api/blocks?active=maybe", null, "active must be true or false"),
        new Case("GET", "/admin/api/events?offset=450&limit=100", null, "offset + limit may be at most 500"));
    for (Case c : cases) {
      AdminHttp.Response r = api.send(c.method(), c.path(), c.body(), Map.of("X-Requested-With", "gateway-console"));
      assertThat(r.status()).as(c + " -> " + r.body()).isEqualTo(400);
      assertThat(r.headers().get("content-type")).startsWith("application/json");
      assertThat(r.json().getString("error")).isEqualTo("invalid");
      assertThat(r.json().getString("message")).as(c.toString()).contains(c.message());
      assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }
  }

  @Test
  void blockListPagesWithoutOverlapAndCountsTheTotal() {
    for (int i = 1; i <= 7; i++) {
      AdminHttp.Response r = api.post("/admin/api/blocks", new JsonObject().put("target", "198.18.7." + i)
          .put("duration", (10 + i) + "m").put("reason", "paging " + i));
      assertThat(r.status()).as(r.body()).isEqualTo(201);
    }
    Set<String> seen = new HashSet<>();
    List<String> order = new ArrayList<>();
    for (int offset = 0; offset < 9; offset += 3) {
      JsonObject page = api.get("/admin/api/blocks?q=198.18.7.0%2F24&sort=expiry&limit=3&offset=" + offset).json();
      assertThat(page.getLong("total")).isEqualTo(7);
      assertThat(page.getInteger("offset")).isEqualTo(offset);
      assertThat(page.getInteger("limit")).isEqualTo(3);
      for (String c : cidrs(page)) {
        assertThat(seen.add(c)).as("%s appears on two pages", c).isTrue();
        order.add(c);
      }
    }
    assertThat(order).containsExactly("198.18.7.1/32", "198.18.7.2/32", "198.18.7.3/32", "198.18.7.4/32",
        "198.18.7.5/32", "198.18.7.6/32", "198.18.7.7/32");
    JsonObject newest = api.get("/admin/api/blocks?q=198.18.7.0%2F24&sort=newest&limit=1").json();
    assertThat(cidrs(newest)).containsExactly("198.18.7.7/32");
    assertThat(api.get("/admin/api/blocks?q=198.18.7.0%2F24&limit=500").json().getJsonArray("items")).hasSize(7);
  }

  @Test
  void sortByCountPutsTheMostInvalidLoginsFirst() throws Exception {
    failTenTimes("192.0.2.30");
    InetAddress busier = InetAddress.getByName("192.0.2.31");
    for (int i = 0; i < 10; i++) {
      gateway.throttle().recordFailure(busier, null, FailureKind.UNKNOWN_USER);
    }
    AdminHttp.eventually(Duration.ofSeconds(10), "both blocks written",
        () -> api.get("/admin/api/blocks?q=192.0.2.30%2F31&active=true").json().getLong("total") == 2);
    // The second address's block came after ten more failures in its /24: its record counts more.
    List<String> byCount = cidrs(api.get("/admin/api/blocks?q=192.0.2.30%2F31&sort=count").json());
    JsonArray items = api.get("/admin/api/blocks?q=192.0.2.30%2F31&sort=count").json().getJsonArray("items");
    assertThat(items.getJsonObject(0).getLong("invalidLogins")).isGreaterThanOrEqualTo(items.getJsonObject(1).getLong("invalidLogins"));
    assertThat(byCount).hasSize(2);
  }

  @Test
  void allowlistEditsAreListedAuditedAndEnforced() throws Exception {
    AdminHttp.Response added = as("carol", "POST", "/admin/api/allowlist",
        new JsonObject().put("target", "198.51.100.0/24").put("note", "customer office"));
    assertThat(added.status()).as(added.body()).isEqualTo(201);
    JsonObject list = api.get("/admin/api/allowlist").json();
    JsonObject entry = list.getJsonArray("items").stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("cidr").equals("198.51.100.0/24")).findFirst().orElseThrow();
    assertThat(entry.getString("note")).isEqualTo("customer office");
    assertThat(entry.getString("createdBy")).isEqualTo("carol");
    assertThat(entry.getString("source")).isEqualTo("console");
    JsonObject configured = list.getJsonArray("items").stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("cidr").equals("10.99.0.0/16")).findFirst().orElseThrow();
    assertThat(configured.getString("source")).isEqualTo("configuration");

    failTenTimes("198.51.100.9");
    JsonObject x = api.get("/admin/api/explain/198.51.100.9").json();
    assertThat(x.getBoolean("allowlisted")).isTrue();
    assertThat(x.getBoolean("blocked")).isFalse();
    assertThat(x.getJsonObject("allowlistEntry").getString("cidr")).isEqualTo("198.51.100.0/24");

    AdminHttp.Response removed = as("carol", "DELETE", "/admin/api/allowlist/198.51.100.0%2F24",
        new JsonObject().put("note", "office moved"));
    assertThat(removed.status()).as(removed.body()).isEqualTo(200);
    assertThat(removed.json().getString("removed")).isEqualTo("198.51.100.0/24");
    assertThat(api.get("/admin/api/explain/198.51.100.9").json().getBoolean("allowlisted")).isFalse();

    AdminHttp.Response again = api.delete("/admin/api/allowlist/198.51.100.0%2F24", new JsonObject().put("note", "twice"));
    assertThat(again.status()).isEqualTo(404);
    assertThat(again.json().getString("message")).contains("198.51.100.0/24");
    AdminHttp.Response fromConfig = api.delete("/admin/api/allowlist/10.99.0.0%2F16", new JsonObject().put("note", "no"));
    assertThat(fromConfig.status()).isEqualTo(404);
    assertThat(fromConfig.json().getString("message")).contains("configuration");
    assertThat(audit("198.51.100.0/24")).containsExactly("allow-add by carol", "allow-remove by carol");
  }

  @Test
  void eventsMergeLoginsAndTheAuditTrailNewestFirst() throws Exception {
    InetAddress a = InetAddress.getByName("192.0.2.40");
    gateway.securityEvents().loginFailed(a, null, FailureKind.UNKNOWN_USER);
    gateway.securityEvents().loginSucceeded(a, "bob@demo.test", "password");
    api.post("/admin/api/blocks", new JsonObject().put("target", "192.0.2.41").put("duration", "5m").put("reason", "events"));

    JsonObject page = api.get("/admin/api/events?limit=3").json();
    JsonArray items = page.getJsonArray("items");
    assertThat(items).hasSize(3);
    assertThat(items.getJsonObject(0).getString("type")).isEqualTo("audit");
    assertThat(items.getJsonObject(0).getString("action")).isEqualTo("block");
    assertThat(items.getJsonObject(0).getString("subject")).isEqualTo("192.0.2.41/32");
    assertThat(items.getJsonObject(1).getString("type")).isEqualTo("login");
    assertThat(items.getJsonObject(1).getString("outcome")).isEqualTo("succeeded");
    assertThat(items.getJsonObject(1).getString("loginName")).isEqualTo("bob@demo.test");
    assertThat(items.getJsonObject(2).getString("outcome")).isEqualTo("failed");
    assertThat(items.getJsonObject(2).getString("detail")).isEqualTo("unknown_user");
    assertThat(items.getJsonObject(2).getString("loginName")).isNull();
    for (int i = 0; i < 2; i++) {
      assertThat(items.getJsonObject(i).getString("at")).isGreaterThanOrEqualTo(items.getJsonObject(i + 1).getString("at"));
    }
    JsonArray logins = api.get("/admin/api/events?type=logins&limit=2").json().getJsonArray("items");
    assertThat(logins.stream().map(o -> ((JsonObject) o).getString("type"))).containsOnly("login");
    JsonArray second = api.get("/admin/api/events?offset=1&limit=1").json().getJsonArray("items");
    assertThat(second.getJsonObject(0)).isEqualTo(items.getJsonObject(1));
    JsonObject explained = api.get("/admin/api/explain/192.0.2.40").json();
    assertThat(explained.getJsonObject("history").getJsonArray("logins")).hasSize(2);
  }

  @Test
  void changesWithoutTheConsoleHeaderOrFromAnotherOriginAreRefused() {
    String body = new JsonObject().put("target", "192.0.2.50").put("duration", "5m").put("reason", "csrf").encode();
    AdminHttp.Response bare = api.send("POST", "/admin/api/blocks", body, Map.of());
    assertThat(bare.status()).isEqualTo(403);
    assertThat(bare.json().getString("error")).isEqualTo("csrf");
    AdminHttp.Response foreign = api.send("POST", "/admin/api/blocks", body,
        Map.of("X-Requested-With", "gateway-console", "Origin", "https://evil.example"));
    assertThat(foreign.status()).isEqualTo(403);
    AdminHttp.Response crossSite = api.send("POST", "/admin/api/blocks", body,
        Map.of("X-Requested-With", "gateway-console", "Sec-Fetch-Site", "cross-site"));
    assertThat(crossSite.status()).isEqualTo(403);
    assertThat(api.get("/admin/api/blocks?q=192.0.2.50").json().getLong("total")).isZero();

    AdminHttp.Response sameOrigin = api.send("POST", "/admin/api/blocks", body,
        Map.of("X-Requested-With", "gateway-console", "Origin", "http://127.0.0.1:" + gateway.adminPort()));
    assertThat(sameOrigin.status()).as(sameOrigin.body()).isEqualTo(201);
  }

  @Test
  void aPageOfAnotherSiteResolvingToLoopbackCannotReadTheApi() throws Exception {
    RawHttp.Response rebound = RawHttp.plain(gateway.adminPort(),
        "GET /admin/api/blocks HTTP/1.1\r\nHost: attacker.example:" + gateway.adminPort() + "\r\n");
    assertThat(rebound.status()).isEqualTo(421);
    assertThat(rebound.body()).doesNotContain("\"items\"");
    RawHttp.Response local = RawHttp.plain(gateway.adminPort(),
        "GET /admin/api/whoami HTTP/1.1\r\nHost: localhost:" + gateway.adminPort() + "\r\n");
    assertThat(local.status()).isEqualTo(200);
    assertThat(new JsonObject(local.body()).getString("access")).isEqualTo("loopback");
    assertThat(new JsonObject(local.body()).getString("role")).as("local callers are staff").isEqualTo("staff");
  }

  @Test
  void actorHeaderMustBePrintable() {
    AdminHttp.Response r = api.send("GET", "/admin/api/whoami", null, Map.of("X-Admin-Actor", "x".repeat(101)));
    assertThat(r.status()).isEqualTo(400);
    assertThat(api.send("GET", "/admin/api/whoami", null, Map.of("X-Admin-Actor", "ops-script")).json()
        .getString("actor")).isEqualTo("ops-script");
  }

  @Test
  void unknownRoutesOversizedBodiesAndWrongMethodsGetJsonErrors() {
    AdminHttp.Response unknown = api.get("/admin/api/nothing-here");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().getString("error")).isEqualTo("not_found");
    AdminHttp.Response big = api.send("POST", "/admin/api/blocks",
        "{\"reason\":\"" + "x".repeat(20_000) + "\"}", Map.of("X-Requested-With", "gateway-console"));
    assertThat(big.status()).isEqualTo(413);
    assertThat(big.json().getString("error")).isEqualTo("too_large");
    AdminHttp.Response wrongMethod = api.send("PUT", "/admin/api/blocks", "{}", Map.of("X-Requested-With", "gateway-console"));
    assertThat(wrongMethod.status()).isBetween(400, 499);
    assertThat(wrongMethod.body()).doesNotContain("Exception");
  }

  /**
   * A body naming a field twice is one edit read two ways: the parser kept the last value, so the block below was
   * of 198.18.96.0/24 while the body read from its start (in a log, a review, a proxy's filter) blocks one address.
   */
  @Test
  void aBodyGivingAFieldTwiceIsRefusedNotReadAsItsLastValue() {
    record Case(String method, String path, String body, String field) {}
    List<Case> cases = List.of(
        new Case("POST", "/admin/api/blocks",
            "{\"target\":\"198.18.97.1\",\"target\":\"198.18.96.0/24\",\"duration\":\"5m\",\"reason\":\"twice\"}", "target"),
        new Case("POST", "/admin/api/blocks",
            "{\"target\":\"198.18.97.2\",\"duration\":\"5m\",\"duration\":\"30d\",\"reason\":\"twice\"}", "duration"),
        new Case("POST", "/admin/api/allowlist", "{\"target\":\"198.18.95.0/24\",\"note\":\"a\",\"note\":\"b\"}", "note"),
        new Case("POST", "/admin/api/unblock", "{\"target\":\"198.18.97.3\",\"reason\":\"a\",\"target\":\"198.18.0.0/16\"}",
            "target"),
        new Case("DELETE", "/admin/api/allowlist/198.18.95.0%2F24", "{\"note\":\"a\",\"x\":{\"y\":1,\"y\":2}}", "y"));
    for (Case c : cases) {
      AdminHttp.Response r = api.send(c.method(), c.path(), c.body(), Map.of("X-Requested-With", "gateway-console"));
      assertThat(r.status()).as(c + " -> " + r.body()).isEqualTo(400);
      assertThat(r.json().getString("error")).isEqualTo("invalid");
      assertThat(r.json().getString("message")).as(c.toString()).contains("'" + c.field() + "' more than once");
    }
    assertThat(api.get("/admin/api/blocks?q=198.18.96.0%2F23").json().getLong("total")).isZero();
    assertThat(api.get("/admin/api/allowlist?limit=500").body()).doesNotContain("198.18.95.0/24");
    // The same body with each field once is taken, comments (which Vert.x reads) included.
    AdminHttp.Response once = api.send("POST", "/admin/api/blocks", "{\"target\":\"198.18.97.1\", /* SEC-9 */ "
        + "\"duration\":\"5m\",\"reason\":\"once\",\"x\":{\"target\":1}}", Map.of("X-Requested-With", "gateway-console"));
    assertThat(once.status()).as(once.body()).isEqualTo(201);
    assertThat(once.json().getString("cidr")).isEqualTo("198.18.97.1/32");
  }

  /**
   * A path the API has, asked with a method it does not take, is a 405 naming the methods it takes (RFC 9110): a
   * 404 "No such admin API route." sent people and scripts looking for a typo in the path.
   */
  @Test
  void aMethodAPathDoesNotTakeIsAnswered405WithTheMethodsItTakes() throws Exception {
    record Case(String method, String path, String allow) {}
    List<Case> cases = List.of(
        new Case("PUT", "/admin/api/blocks", "GET, HEAD, POST"),
        new Case("PATCH", "/admin/api/allowlist", "GET, HEAD, POST"),
        new Case("POST", "/admin/api/explain/192.0.2.1", "GET, HEAD"),
        new Case("DELETE", "/admin/api/events", "GET, HEAD"),
        new Case("POST", "/admin/api/whoami", "GET, HEAD"),
        new Case("GET", "/admin/api/unblock", "POST"),
        new Case("GET", "/admin/api/blocks/192.0.2.0%2F24", "DELETE"),
        new Case("PUT", "/admin/api/allowlist/192.0.2.0%2F24", "DELETE"),
        new Case("POST", "/health/live", "GET, HEAD"),
        new Case("DELETE", "/metrics", "GET, HEAD"),
        new Case("POST", "/admin/", "GET, HEAD"),
        new Case("POST", "/admin/console.js", "GET, HEAD"));
    for (Case c : cases) {
      AdminHttp.Response r = api.send(c.method(), c.path(), c.method().equals("GET") ? null : "{}",
          Map.of("X-Requested-With", "gateway-console"));
      assertThat(r.status()).as(c + " -> " + r.body()).isEqualTo(405);
      assertThat(r.headers().get("allow")).as(c.toString()).isEqualTo(c.allow());
      assertThat(r.headers().get("content-type")).startsWith("application/json");
      assertThat(r.json().getString("error")).isEqualTo("method_not_allowed");
      assertThat(r.json().getString("message")).contains(c.method() + " is not allowed here").contains(c.allow());
    }
    // HEAD of a path only POST takes: the same 405, without a body.
    RawHttp.Response head = RawHttp.plain(gateway.adminPort(), "HEAD /admin/api/unblock HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    assertThat(head.status()).isEqualTo(405);
    assertThat(head.head()).containsIgnoringCase("allow: POST");
    // A path nothing takes stays a 404, and the edit routes still answer their own methods.
    assertThat(api.send("PUT", "/admin/api/nothing-here", "{}", Map.of("X-Requested-With", "gateway-console")).status())
        .isEqualTo(404);
    assertThat(api.send("POST", "/admin/nothing-here", "{}", Map.of()).status()).isEqualTo(404);
    assertThat(api.get("/admin/api/blocks?q=192.0.2.0%2F24").status()).isEqualTo(200);
    // Refusals that come first stay first: a change without the console's header is refused as one.
    assertThat(api.send("PUT", "/admin/api/blocks", "{}", Map.of()).status()).isEqualTo(403);
  }

  @Test
  void consoleFilesAreServedWithAStrictContentSecurityPolicy() {
    AdminHttp.Response page = api.get("/admin/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.headers().get("content-type")).startsWith("text/html");
    assertThat(page.headers().get("content-security-policy")).contains("frame-ancestors 'none'").contains("script-src 'self'");
    assertThat(page.body()).contains("<label for=\"filter-q\">");
    assertThat(api.get("/admin/console.js").status()).isEqualTo(200);
    assertThat(api.get("/admin/console.css").status()).isEqualTo(200);
    assertThat(api.get("/admin/openapi.yaml").body()).startsWith("openapi: 3.1.0");
    AdminHttp.Response bare = api.get("/admin");
    assertThat(bare.status()).isEqualTo(301);
    assertThat(bare.headers().get("cache-control")).as("a browser keeps a 301 without end unless told").isEqualTo("no-store");
    assertThat(URI.create("http://127.0.0.1/admin").resolve(bare.headers().get("location")).getPath()).isEqualTo("/admin/");
  }

  @Test
  void everyJsonAnswerOfTheListenerForbidsContentSniffing() throws Exception {
    // Not only the API's own answers: health, the listener's 404 and Vert.x's 400 for a broken
    // escape in a path parameter are JSON too, and must not be sniffed into something else.
    for (String path : List.of("/health/live", "/admin/nothing-here", "/admin/api/explain/%zz", "/admin/api/whoami")) {
      RawHttp.Response r = RawHttp.plain(gateway.adminPort(), "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      assertThat(r.head()).as(path).containsIgnoringCase("content-type: application/json")
          .containsIgnoringCase("x-content-type-options: nosniff");
    }
  }

  @Test
  void zeroTypedAsADurationIsRefusedAsNotPositiveNotAsUnreadable() {
    // "0" needs no unit to mean nothing: the person is told the rule, not shown the accepted spellings.
    for (String zero : List.of("0", " 0 ", "00", "-0")) {
      AdminHttp.Response r = api.post("/admin/api/blocks", new JsonObject().put("target", "198.51.100.230")
          .put("duration", zero).put("reason", "zero"));
      assertThat(r.status()).as(zero).isEqualTo(400);
      assertThat(r.json().getString("message")).as(zero).contains("must be positive").doesNotContain("not understood");
    }
  }

  @Test
  void aRequestLineTooLongForTheListenerIsAnsweredWithAJsonMessage() throws Exception {
    // A filter of a few KB (a pasted log excerpt) exceeds Netty's 4096-byte request line: the answer is the
    // API's JSON error with a message the console can show, not an empty 414.
    RawHttp.Response r = RawHttp.plain(gateway.adminPort(), "GET /admin/api/blocks?q=" + "1".repeat(5000)
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    assertThat(r.status()).isEqualTo(414);
    assertThat(r.head()).containsIgnoringCase("content-type: application/json")
        .containsIgnoringCase("x-content-type-options: nosniff");
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("error")).isEqualTo("too_large");
    assertThat(body.getString("message")).contains("too long");
    // The listener still answers afterwards.
    assertThat(api.get("/admin/api/whoami").status()).isEqualTo(200);
  }
}
