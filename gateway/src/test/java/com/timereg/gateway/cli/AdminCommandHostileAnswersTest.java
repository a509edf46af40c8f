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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The CLI against an admin API whose answers hold hostile or unexpected data: text stored by whoever could
 * write a note, a reason or a login name reaches the staff member's terminal, and must not drive it.
 */
class AdminCommandHostileAnswersTest {
  /** Clears the screen and sets the window title: what a stored note could do to a terminal. */
  static final String ESCAPES = "\u001b[2J\u001b]0;owned\u0007\u009b31m";

  HttpServer server;
  final Map<String, Answer> answers = new ConcurrentHashMap<>();

  record Answer(int status, String body) {}

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      Answer a = answers.getOrDefault(exchange.getRequestURI().getPath(), new Answer(404, "{\"message\":\"none\"}"));
      byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(a.status(), body.length);
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

  static JsonObject key(String subject) {
    return new JsonObject().put("subject", subject).put("failuresInWindow", 0).put("failureLimit", 10)
        .put("blockedClientLimit", 0).put("totalFailures", 0).put("successHeadroom", false);
  }

  /** {@code blocks explain 192.0.2.9} against an explanation that starts with {@code x}; it must succeed. */
  private Run explain(JsonObject x) {
    x.put("client", key("192.0.2.9/32")).put("range", key("192.0.2.0/24"))
        .put("surge", new JsonObject().put("active", false).put("failuresPerMinute", 0).put("enterAt", 100))
        .put("history", new JsonObject().put("blocks", new JsonArray()).put("events", new JsonArray()));
    answers.put("/admin/api/explain/192.0.2.9", new Answer(200, x.encode()));
    Run r = admin("blocks", "explain", "192.0.2.9");
    assertThat(r.exit()).as(r.err()).isZero();
    return r;
  }

  @Test
  void anAllowlistNoteCannotDriveTheTerminalInTheExplanation() {
    JsonObject x = new JsonObject().put("address", "192.0.2.9").put("allowlisted", true).put("blocked", false)
        .put("decision", new JsonObject())
        .put("allowlistEntry", new JsonObject().put("cidr", "192.0.2.0/24").put("note", "office" + ESCAPES));
    Run r = explain(x);
    assertThat(r.out()).contains("ALLOWLISTED by 192.0.2.0/24 (office");
    assertThat(r.out()).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u009b");
  }

  @Test
  void aBlockReasonCannotDriveTheTerminalInTheExplanation() {
    JsonObject x = new JsonObject().put("address", "192.0.2.9").put("allowlisted", false).put("blocked", true)
        .put("decision", new JsonObject().put("kind", "manual").put("subject", "192.0.2.9/32")
            .put("until", "2026-11-28T03:00:00Z").put("reasonText", "SEC-1" + ESCAPES));
    Run r = explain(x);
    assertThat(r.out()).contains("BLOCKED by manual entry 192.0.2.9/32");
    assertThat(r.out()).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u009b");
  }

  @Test
  void answersOfEditsCannotDriveTheTerminal() {
    answers.put("/admin/api/blocks", new Answer(200, new JsonObject().put("cidr", "192.0.2.9/32")
        .put("expiresAt", "2026-11-28T03:00:00Z").put("createdBy", "mallory" + ESCAPES).encode()));
    Run r = admin("blocks", "block", "192.0.2.9", "--duration", "15m", "--reason", "x");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("Blocked 192.0.2.9/32").doesNotContain("\u001b").doesNotContain("\u009b");
  }

  @Test
  void anErrorMessageCannotDriveTheTerminal() {
    answers.put("/admin/api/unblock", new Answer(400, new JsonObject().put("error", "bad_request")
        .put("message", "not an address: '" + ESCAPES + "'").encode()));
    Run r = admin("blocks", "unblock", "192.0.2.9", "--reason", "x");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("gateway admin: 400 not an address")
        .doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u009b");
  }

  @Test
  void anAnswerOfAnotherShapeIsReportedPlainlyNotAsAStackTrace() {
    answers.put("/admin/api/blocks", new Answer(200, "{\"something\":\"else\"}"));
    Run r = admin("blocks", "list");
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).startsWith("gateway admin: ").doesNotContain("Exception").doesNotContain("\tat ");
    answers.put("/admin/api/events", new Answer(200, "{\"items\":\"not a list\"}"));
    Run events = admin("events");
    assertThat(events.exit()).as(events.err()).isEqualTo(1);
    assertThat(events.err()).startsWith("gateway admin: ").doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void jsonOutputCarriesControlCharactersEscapedNotRaw() {
    JsonObject page = new JsonObject().put("offset", 0).put("total", 1).put("items", new JsonArray().add(
        new JsonObject().put("type", "login").put("at", "2026-11-28T02:00:00Z").put("outcome", "failed")
            .put("address", "192.0.2.9").put("loginName", "eve" + ESCAPES + "\u007f").put("node", "n1")));
    answers.put("/admin/api/events", new Answer(200, page.encode()));
    Run r = admin("--json", "events");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u009b")
        .doesNotContain("\u007f");
    assertThat(new JsonObject(r.out())).isEqualTo(page);
  }

  /**
   * Bidirectional overrides and isolates (U+202E "right-to-left override" and the like) and Unicode's line and
   * paragraph separators are no control characters to {@code Character.isISOControl}, but they drive a terminal's
   * rendering as much: a login name (any Unicode, from the user table) or a certificate's CN holding U+202E shows
   * the rest of its line reversed, the address and time columns after it among them. Shown as '?' in tables,
   * explanations and messages, escaped in --json.
   */
  @Test
  void bidiOverridesAndSeparatorsCannotReorderWhatTheStaffMemberReads() {
    String hostile = "eve\u202e\u2066moc.elpmaxe\u2069\u200f\u2028\u2029x";
    JsonObject page = new JsonObject().put("offset", 0).put("total", 1).put("items", new JsonArray().add(
        new JsonObject().put("type", "login").put("at", "2026-11-28T02:00:00Z").put("outcome", "failed")
            .put("address", "192.0.2.9").put("loginName", hostile).put("node", "n1")));
    answers.put("/admin/api/events", new Answer(200, page.encode()));
    Run table = admin("events");
    assertThat(table.exit()).as(table.err()).isZero();
    assertThat(table.out()).contains("eve??moc.elpmaxe????x");
    Run json = admin("--json", "events");
    assertThat(json.exit()).as(json.err()).isZero();
    assertThat(json.out()).doesNotContain("\u202e").contains("\\u202e");
    assertThat(new JsonObject(json.out())).isEqualTo(page);

    answers.put("/admin/api/blocks", new Answer(200, new JsonObject().put("cidr", "192.0.2.9/32")
        .put("expiresAt", "2026-11-28T03:00:00Z").put("createdBy", "CN=\u202emallory").encode()));
    Run edit = admin("blocks", "block", "192.0.2.9", "--duration", "15m", "--reason", "x");
    assertThat(edit.exit()).as(edit.err()).isZero();
    assertThat(edit.out()).doesNotContain("\u202e");
    answers.put("/admin/api/unblock", new Answer(400, new JsonObject().put("error", "bad_request")
        .put("message", "no block for '\u202e9.2.0.291'").encode()));
    Run error = admin("blocks", "unblock", "192.0.2.9", "--reason", "x");
    assertThat(error.err()).startsWith("gateway admin: 400 no block for '?9.2.0.291'");
  }

  /**
   * The format characters outside the BMP, such as the invisible tag characters (U+E0001, U+E0020..E007F) that
   * carry text a reader does not see, are two UTF-16 units each: judged per unit they passed, raw, into --json
   * output and error messages, while tables already replaced them.
   */
  @Test
  void formatCharactersOutsideTheBmpAreTreatedAsThoseInside() {
    String tags = new String(Character.toChars(0xE0001)) + new String(Character.toChars(0xE0041));
    JsonObject page = new JsonObject().put("offset", 0).put("total", 1).put("items", new JsonArray().add(
        new JsonObject().put("type", "login").put("at", "2026-11-28T02:00:00Z").put("outcome", "failed")
            .put("address", "192.0.2.9").put("loginName", "eve" + tags + "x").put("node", "n1")));
    answers.put("/admin/api/events", new Answer(200, page.encode()));
    Run table = admin("events");
    assertThat(table.exit()).as(table.err()).isZero();
    assertThat(table.out()).contains("eve??x");
    Run json = admin("--json", "events");
    assertThat(json.exit()).as(json.err()).isZero();
    assertThat(json.out()).doesNotContain(tags).contains("\\udb40\\udc01\\udb40\\udc41");
    assertThat(new JsonObject(json.out())).isEqualTo(page);

    answers.put("/admin/api/unblock", new Answer(400, new JsonObject().put("error", "bad_request")
        .put("message", "no block for '" + tags + "9.2.0.291'").encode()));
    Run error = admin("blocks", "unblock", "192.0.2.9", "--reason", "x");
    assertThat(error.err()).startsWith("gateway admin: 400 no block for '??9.2.0.291'");
  }
}
