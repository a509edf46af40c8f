package com.timereg.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import com.timereg.gateway.Main;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The CLI against a stand-in admin API (or what sits in front of one) whose answers are legitimate but unusual:
 * fields without a value, names in scripts whose characters are not one column each, a reverse proxy's redirect.
 */
class AdminCommandOddAnswersTest {
  HttpServer server;
  final Map<String, Answer> answers = new ConcurrentHashMap<>();
  final List<String> paths = new CopyOnWriteArrayList<>();

  record Answer(int status, String body, Map<String, String> headers) {
    Answer(int status, String body) {
      this(status, body, Map.of("Content-Type", "application/json"));
    }
  }

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      paths.add(exchange.getRequestURI().getPath());
      Answer a = answers.getOrDefault(exchange.getRequestURI().getPath(), new Answer(404, "{\"message\":\"none\"}"));
      byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
      a.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      exchange.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  record Run(int exit, String out, String err) {}

  Run admin(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 3];
    all[0] = "admin";
    all[1] = "--admin-url=http://127.0.0.1:" + server.getAddress().getPort();
    all[2] = "--actor=staff";
    System.arraycopy(args, 0, all, 3, args.length);
    int exit = cli.execute(all);
    return new Run(exit, out.toString(), err.toString());
  }

  static JsonObject page(JsonObject... items) {
    return new JsonObject().put("offset", 0).put("total", items.length).put("items", new JsonArray(List.of((Object[]) items)));
  }

  /** A field the API sends without a value is shown as "-", as an empty table cell is, never as the word null. */
  @Test
  void aFieldWithoutAValueIsShownAsADashNotAsNull() {
    answers.put("/admin/api/events", new Answer(200, page(
        new JsonObject().put("type", "login").put("at", "2026-11-28T02:00:00Z").put("outcome", null)
            .put("address", "192.0.2.9").put("loginName", null).put("detail", null).put("node", "n1")).encode()));
    Run events = admin("events");
    assertThat(events.exit()).as(events.err()).isZero();
    assertThat(events.out()).doesNotContain("null").contains("login -");

    answers.put("/admin/api/blocks", new Answer(200, page(new JsonObject().put("cidr", "192.0.2.9/32").put("kind", "manual")
        .put("note", "x").put("invalidLogins", 0).put("expiresAt", "2026-11-28T03:00:00Z").put("createdBy", "ann")
        .put("active", false).put("liftedAt", "2026-11-28T02:30:00Z").put("liftedBy", null)).encode()));
    Run list = admin("blocks", "list", "--all");
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out()).doesNotContain("null").contains("lifted by -");

    JsonObject key = AdminCommandHostileAnswersTest.key("192.0.2.9/32");
    JsonObject x = new JsonObject().put("address", "192.0.2.9").put("allowlisted", true).put("blocked", false)
        .put("decision", new JsonObject()).put("allowlistEntry", new JsonObject().put("cidr", "192.0.2.0/24").put("note", null))
        .put("client", key).put("range", AdminCommandHostileAnswersTest.key("192.0.2.0/24"))
        .put("surge", new JsonObject().put("active", false).put("failuresPerMinute", 0).put("enterAt", null))
        .put("history", new JsonObject().put("blocks", new JsonArray()).put("events", new JsonArray()));
    answers.put("/admin/api/explain/192.0.2.9", new Answer(200, x.encode()));
    Run explain = admin("blocks", "explain", "192.0.2.9");
    assertThat(explain.exit()).as(explain.err()).isZero();
    assertThat(explain.out()).doesNotContain("null").contains("ALLOWLISTED by 192.0.2.0/24 (-)");

    answers.put("/admin/api/blocks", new Answer(200, new JsonObject().put("cidr", "192.0.2.9/32")
        .put("expiresAt", null).put("createdBy", null).encode()));
    Run block = admin("blocks", "block", "192.0.2.9", "--duration", "15m", "--reason", "x");
    assertThat(block.exit()).as(block.err()).isZero();
    assertThat(block.out()).doesNotContain("null");
  }

  /**
   * An automatic block has {@code "createdBy": null} (the column is NULL exactly for those, and the API puts the
   * key with no value), so the BY column's default "gateway" never applied: it showed "-", and so did the actor of
   * the audit event of an automatic block.
   */
  @Test
  void automaticBlocksAreShownAsTheGatewaysOwn() {
    answers.put("/admin/api/blocks", new Answer(200, page(new JsonObject().put("cidr", "192.0.2.9/32").put("kind", "client")
        .put("reason", "invalid-logins").put("note", null).put("invalidLogins", 12).put("firstSeen", "2026-11-28T01:00:00Z")
        .put("lastSeen", "2026-11-28T02:00:00Z").put("expiresAt", "2026-11-28T03:00:00Z").put("createdBy", null)
        .put("liftedAt", null).put("liftedBy", null).put("active", true)).encode()));
    Run list = admin("blocks", "list");
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out()).containsPattern("2026-11-28 03:00:00Z +gateway +active");

    answers.put("/admin/api/events", new Answer(200, page(new JsonObject().put("type", "audit").put("at", "2026-11-28T02:00:00Z")
        .put("actor", null).put("action", "block-issued-automatic").put("subject", "192.0.2.9/32").put("note", null)
        .put("node", "n1")).encode()));
    Run events = admin("events");
    assertThat(events.exit()).as(events.err()).isZero();
    assertThat(events.out()).containsPattern("block-issued-automatic +192\\.0\\.2\\.9/32 +gateway ");
  }

  /**
   * Columns are as wide as the terminal shows their text: a CJK name takes two columns a character, an astral
   * character (CJK extension B, an emoji) is one character though two UTF-16 units, a combining accent none.
   * Measured in UTF-16 units, the columns after such a name were shifted.
   */
  @Test
  void columnsStayAlignedWithWideAstralAndCombiningCharacters() {
    List<String> names = List.of("ann@acme.test", "\u674e\u96f7@acme.test", "\ud840\udc0b\ud83d\ude00@acme.test",
        "jose\u0301@acme.test", "\uc548\ub155@acme.test");
    JsonObject[] items = names.stream().map(n -> new JsonObject().put("type", "login").put("at", "2026-11-28T02:00:00Z")
        .put("outcome", "failed").put("address", "192.0.2.9").put("loginName", n).put("detail", "wrong-password")
        .put("node", "n1")).toArray(JsonObject[]::new);
    answers.put("/admin/api/events", new Answer(200, page(items).encode()));
    Run r = admin("events");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    int header = columnOf(lines.get(0), "NOTE/DETAIL");
    for (int i = 1; i <= names.size(); i++) {
      assertThat(columnOf(lines.get(i), "wrong-password")).as(lines.get(i)).isEqualTo(header);
    }
  }

  /** The terminal column where {@code text} starts in {@code line}, for the characters of this test. */
  private static int columnOf(String line, String text) {
    return line.substring(0, line.indexOf(text)).codePoints().map(c ->
        Character.getType(c) == Character.NON_SPACING_MARK ? 0
            : Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN
                || Character.UnicodeScript.of(c) == Character.UnicodeScript.HANGUL || c >= 0x1F300 ? 2 : 1).sum();
  }

  /**
   * A reverse proxy in front of the admin listener that sends people to its sign-in page answers 302 with a
   * Location: that is said as such (status and where to), not "not JSON", and not followed.
   */
  @Test
  void aRedirectIsReportedWithItsTargetAndNotFollowed() {
    answers.put("/admin/api/events", new Answer(302, "", Map.of("Location", "https://sso.example/login?next=/admin\u009b2J")));
    answers.put("/login", new Answer(200, page().encode()));
    Run r = admin("events");
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains("redirect").contains("302").contains("https://sso.example/login?next=/admin")
        .doesNotContain("not JSON").doesNotContain("\u009b").doesNotContain("Exception");
    assertThat(paths).containsExactly("/admin/api/events");

    answers.put("/admin/api/blocks", new Answer(307, page().encode(), Map.of("Location", "/elsewhere")));
    Run json = admin("blocks", "list");
    assertThat(json.exit()).as("a redirect with a JSON body is no answer either").isEqualTo(1);
    assertThat(json.err()).contains("307").contains("/elsewhere");
  }
}
