package com.timereg.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.Main;
import com.timereg.gateway.edge.Gateway;
import com.timereg.gateway.edge.TestGateways;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gateway admin ...} against a running gateway's admin listener, as an operator would type it. */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class AdminCommandTest {
  @TempDir static Path dir;
  static Gateway gateway;
  static String url;
  static TestDatabase database;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    database = db;
    gateway = Gateway.start(TestGateways.config(dir, db, Map.of()));
    url = "http://127.0.0.1:" + gateway.adminPort();
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  record Run(int exit, String out, String err) {}

  static Run gateway(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  static Run admin(String... args) {
    List<String> all = new ArrayList<>(List.of("admin", "--admin-url", url, "--actor", "cli-user"));
    all.addAll(List.of(args));
    return gateway(all.toArray(String[]::new));
  }

  @Test
  void explainShowsTheDistinctPeopleBehindAnAddressAndTheLimitTheyRaised() throws Exception {
    java.net.InetAddress office = java.net.InetAddress.getByName("192.0.2.80");
    for (String person : List.of("ann@acme.test", "ben@acme.test", "cid@acme.test", "Ann@Acme.test")) {
      gateway.throttle().recordSuccess(office, person);
    }
    Run explain = admin("blocks", "explain", "192.0.2.80");
    assertThat(explain.exit()).as(explain.err()).isZero();
    assertThat(explain.out()).contains("yes, ~3 people (limits raised)").containsPattern("client 192\\.0\\.2\\.80/32 +0(\\.0)? +24 ");

    Run json = admin("--json", "blocks", "explain", "192.0.2.80");
    JsonObject client = new JsonObject(json.out()).getJsonObject("client");
    assertThat(client.getInteger("recentPeople")).isEqualTo(3);
    assertThat(client.getInteger("failureLimit")).as("20 + 2 for each of the 2 others").isEqualTo(24);
  }

  @Test
  void blockListExplainAndUnblockFromTheCommandLine() throws Exception {
    Run block = admin("blocks", "block", "192.0.2.70", "--duration", "30m", "--reason", "cli test SEC-9");
    assertThat(block.exit()).as(block.err()).isZero();
    assertThat(block.out()).contains("Blocked 192.0.2.70/32 on every node until").contains("by cli-user");

    Run list = admin("blocks", "list", "-q", "192.0.2.70");
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out()).contains("ADDRESS/RANGE").contains("192.0.2.70/32").contains("manual")
        .contains("cli test SEC-9").contains("cli-user").contains("active").contains("1-1 of 1");

    Run explain = admin("blocks", "explain", "192.0.2.70");
    assertThat(explain.out()).contains("192.0.2.70: BLOCKED by manual entry 192.0.2.70/32")
        .contains("client 192.0.2.70/32").contains("range 192.0.2.0/24").contains("Surge mode off");

    Run json = admin("--json", "blocks", "list", "-q", "192.0.2.70");
    assertThat(new JsonObject(json.out()).getJsonArray("items").getJsonObject(0).getString("createdBy")).isEqualTo("cli-user");

    Run unblock = admin("blocks", "unblock", "192.0.2.70", "--reason", "resolved");
    assertThat(unblock.exit()).as(unblock.err()).isZero();
    assertThat(unblock.out()).contains("Unblocked 192.0.2.70/32 on every node: 1 block(s) lifted.");
    assertThat(admin("blocks", "list", "-q", "192.0.2.70").out()).contains("No blocks match.");
    assertThat(admin("blocks", "list", "-q", "192.0.2.70", "--all").out()).contains("lifted by cli-user");
    try (Connection c = database.openJdbc(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT action, actor FROM audit_events WHERE subject = '192.0.2.70/32' ORDER BY id")) {
      List<String> rows = new ArrayList<>();
      while (r.next()) {
        rows.add(r.getString(1) + " " + r.getString(2));
      }
      assertThat(rows).containsExactly("block cli-user", "unblock cli-user");
    }
  }

  @Test
  void explainingAnAllowlistedAddressSaysItsManualBlockIsNotEnforced() {
    assertThat(admin("allow", "add", "203.0.113.200/29", "--note", "partner office").exit()).isZero();
    Run block = admin("blocks", "block", "203.0.113.201", "--duration", "2h", "--reason", "SEC-88 stuffing");
    assertThat(block.exit()).as(block.err()).isZero();
    assertThat(block.out()).contains("Not enforced within 203.0.113.200/29");

    // The block answer said it is not enforced; explaining the address must say so too, or staff see an active
    // manual block beside "never blocked" and cannot tell which holds.
    Run explain = admin("blocks", "explain", "203.0.113.201");
    assertThat(explain.exit()).as(explain.err()).isZero();
    assertThat(explain.out()).contains("203.0.113.201: ALLOWLISTED by 203.0.113.200/29 (partner office), never blocked")
        .containsPattern("Manual block 203\\.0\\.113\\.201/32 until .* \\(SEC-88 stuffing, by cli-user\\) is not enforced: "
            + "the allowlist wins over blocks\\.");
  }

  @Test
  void explainingAnIpv6AddressShowsTheHistoryOfItsSlash64() {
    assertThat(admin("blocks", "block", "2001:db8:88:1::7", "--duration", "2h", "--reason", "SEC-89").exit()).isZero();
    Run explain = admin("blocks", "explain", "2001:db8:88:1::5");
    assertThat(explain.exit()).as(explain.err()).isZero();
    assertThat(explain.out()).contains("Blocks overlapping 2001:db8:88:1::/64 (the key it is counted and blocked under):")
        .contains("2001:db8:88:1::7/128").contains("Audit trail of 2001:db8:88:1::/64:");
  }

  @Test
  void optionsMayFollowTheSubcommand() {
    Run r = gateway("admin", "blocks", "list", "--admin-url", url, "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(new JsonObject(r.out()).containsKey("items")).isTrue();
  }

  @Test
  void allowlistAddListRemove() {
    Run add = admin("allow", "add", "203.0.113.128/25", "--note", "branch office");
    assertThat(add.exit()).as(add.err()).isZero();
    assertThat(add.out()).contains("Allowlisted 203.0.113.128/25");
    assertThat(admin("allow", "list").out()).contains("203.0.113.128/25").contains("branch office").contains("console");
    Run remove = admin("allow", "remove", "203.0.113.128/25", "--note", "closed");
    assertThat(remove.exit()).as(remove.err()).isZero();
    assertThat(admin("allow", "list").out()).doesNotContain("203.0.113.128/25");
    Run again = admin("allow", "remove", "203.0.113.128/25", "--note", "closed");
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).startsWith("gateway admin: 404 ");
  }

  @Test
  void aBlockInsideAnAllowlistedRangeSaysItIsNotEnforced() {
    assertThat(admin("allow", "add", "198.18.9.0/24", "--note", "branch office").exit()).isZero();
    Run block = admin("blocks", "block", "198.18.9.7", "--duration", "30m", "--reason", "inside");
    assertThat(block.exit()).as(block.err()).isZero();
    assertThat(block.out()).contains("Blocked 198.18.9.7/32 on every node until")
        .contains("Not enforced within 198.18.9.0/24: it is allowlisted (branch office), and the allowlist wins over blocks.");
    Run apart = admin("blocks", "block", "198.18.10.7", "--duration", "30m", "--reason", "apart");
    assertThat(apart.out()).contains("Blocked 198.18.10.7/32").doesNotContain("Not enforced");
  }

  @Test
  void eventsShowTheAuditTrail() {
    admin("blocks", "block", "192.0.2.71", "--duration", "5m", "--reason", "for events");
    Run r = admin("events", "--type", "audit", "--limit", "5");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("WHEN").contains("block").contains("192.0.2.71/32").contains("cli-user");
  }

  @Test
  void refusedRequestsExitOneWithTheApisMessage() {
    Run negative = admin("blocks", "block", "192.0.2.72", "--duration", "-15m", "--reason", "x");
    assertThat(negative.exit()).isEqualTo(1);
    assertThat(negative.err()).isEqualTo("gateway admin: 400 a block's duration must be positive, was '-15m'" + System.lineSeparator());
    Run badRange = admin("blocks", "unblock", "10.0.0.1/8", "--reason", "x");
    assertThat(badRange.exit()).isEqualTo(1);
    assertThat(badRange.err()).contains("400").contains("did you mean 10.0.0.0/8?");
    Run missing = admin("blocks", "unblock", "10.0.0.1");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("Missing required option: '--reason=<reason>'").doesNotContain("Exception");
  }

  @Test
  void aGatewayThatIsNotThereIsReportedPlainly() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Run r = gateway("admin", "--admin-url", "http://127.0.0.1:" + closedPort, "blocks", "list");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("cannot connect to the admin API at http://127.0.0.1:" + closedPort)
        .contains("connection refused").doesNotContain("Exception");
    Run notUrl = gateway("admin", "--admin-url", "ftp://x", "blocks", "list");
    assertThat(notUrl.exit()).as("a usage mistake").isEqualTo(2);
    assertThat(notUrl.err()).contains("--admin-url must be http://HOST:PORT");
  }

  @Test
  void anActorThatCannotTravelInAHeaderIsAUsageMistakeNotAStackTrace() {
    Run polish = gateway("admin", "--admin-url", url, "--actor", "\u0141ukasz", "events");
    assertThat(polish.exit()).as(polish.err()).isEqualTo(2);
    assertThat(polish.err()).contains("--actor").doesNotContain("Exception").doesNotContain("\tat ");
    Run tab = gateway("admin", "--admin-url", url, "--actor", "bob\tsmith", "events");
    assertThat(tab.exit()).as(tab.err()).isEqualTo(2);
    assertThat(tab.err()).contains("--actor").doesNotContain("Exception");
    Run latin1 = gateway("admin", "--admin-url", url, "--actor", "j\u00fcrgen", "events", "--type", "audit");
    assertThat(latin1.exit()).as(latin1.err()).isZero();
  }

  /**
   * The actor defaults to the OS user's name, which no header can carry for a Łukasz: the CLI refused every
   * command, blaming an --actor never typed. The default now stays unsent (the listener records "local").
   */
  @Test
  void anOsUserNameNoHeaderCanCarryDoesNotStopTheCli() {
    String name = System.getProperty("user.name");
    System.setProperty("user.name", "\u0141ukasz");
    try {
      Run r = gateway("admin", "--admin-url", url, "events", "--type", "audit");
      assertThat(r.exit()).as(r.err()).isZero();
      Run explicit = gateway("admin", "--admin-url", url, "events", "--actor", "\u0141ukasz");
      assertThat(explicit.exit()).as("typed, it is still a usage mistake").isEqualTo(2);
    } finally {
      System.setProperty("user.name", name);
    }
  }

  @Test
  void anImpossiblePortOrAnUnknownHostIsReportedPlainly() {
    Run port = gateway("admin", "--admin-url", "http://127.0.0.1:99999", "blocks", "list");
    assertThat(port.exit()).as(port.err()).isEqualTo(2);
    assertThat(port.err()).contains("--admin-url must be http://HOST:PORT").doesNotContain("Exception");
    Run host = gateway("admin", "--admin-url", "http://no-such-host.invalid:9090", "blocks", "list");
    assertThat(host.exit()).as(host.err()).isEqualTo(1);
    assertThat(host.err()).contains("no-such-host.invalid").contains("unknown host")
        .doesNotContain("connection refused").doesNotContain("Exception");
  }
}
