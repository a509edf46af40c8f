package com.timereg.gateway.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code gateway admin blocks list|explain|unblock|block}. */
@Command(name = "blocks", mixinStandardHelpOptions = true, description = "List, explain, lift and make blocks.")
final class BlocksCommand implements Runnable {
  @ParentCommand
  AdminCommand admin;

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "list", description = "Blocks on record, active only unless --all.")
  int list(
      @Option(names = {"-q", "--query"}, paramLabel = "ADDRESS|RANGE", description = "Only blocks containing or overlapping it.") String q,
      @Option(names = "--kind", defaultValue = "any", description = "any, automatic or manual (default: ${DEFAULT-VALUE}).") String kind,
      @Option(names = "--sort", defaultValue = "expiry", description = "expiry, count or newest (default: ${DEFAULT-VALUE}).") String sort,
      @Option(names = "--all", description = "Include lifted and expired blocks.") boolean all,
      @Option(names = "--offset", defaultValue = "0") int offset,
      @Option(names = "--limit", defaultValue = "50", description = "At most 500 (default: ${DEFAULT-VALUE}).") int limit) {
    StringBuilder path = new StringBuilder("/blocks?kind=").append(AdminClient.query(kind))
        .append("&sort=").append(AdminClient.query(sort)).append("&active=").append(!all)
        .append("&offset=").append(offset).append("&limit=").append(limit);
    if (q != null && !q.isBlank()) {
      path.append("&q=").append(AdminClient.query(q.strip()));
    }
    return admin.run(spec, c -> c.get(path.toString()), BlocksCommand::printPage);
  }

  @Command(name = "explain", description = "Whether an address is blocked, by what, its counters, limits and history.")
  int explain(@Parameters(paramLabel = "ADDRESS") String address) {
    return admin.run(spec, c -> c.get("/explain/" + AdminClient.segment(address.strip())), BlocksCommand::printExplanation);
  }

  @Command(name = "unblock", description = "Lift the blocks of an address or range on every node.")
  int unblock(@Parameters(paramLabel = "ADDRESS|RANGE") String target,
      @Option(names = "--reason", required = true, description = "Why; goes to the audit trail.") String reason) {
    JsonObject body = new JsonObject().put("target", target.strip()).put("reason", reason);
    return admin.run(spec, c -> c.post("/unblock", body), (r, out) -> {
      JsonArray lifted = r.getJsonArray("lifted");
      out.println("Unblocked " + AdminCommand.shown(r.getString("target")) + " on every node: " + lifted.size()
          + " block(s) lifted.");
      for (int i = 0; i < lifted.size(); i++) {
        JsonObject b = lifted.getJsonObject(i);
        out.println("  " + AdminCommand.shown(b.getString("cidr")) + " (" + AdminCommand.shown(b.getString("kind"))
            + ", was to end " + AdminCommand.shown(AdminCommand.time(b.getString("expiresAt"))) + ")");
      }
    });
  }

  @Command(name = "block", description = "Block an address or range by hand on every node.")
  int block(@Parameters(paramLabel = "ADDRESS|RANGE") String target,
      @Option(names = "--duration", required = true, description = "1 minute up to the gateway's throttle.max-manual-block (30 days unless set): 15m, 2h, 7d or PT15M.") String duration,
      @Option(names = "--reason", required = true, description = "Why; goes to the audit trail.") String reason) {
    JsonObject body = new JsonObject().put("target", target.strip()).put("duration", duration).put("reason", reason);
    return admin.run(spec, c -> c.post("/blocks", body), (b, out) -> {
      out.println("Blocked " + AdminCommand.shown(b.getString("cidr")) + " on every node until "
          + AdminCommand.shown(AdminCommand.time(b.getString("expiresAt"))) + " (by " + AdminCommand.shown(b.getString("createdBy")) + ").");
      JsonArray allowed = b.getJsonArray("allowlistOverlaps");
      for (int i = 0; allowed != null && i < allowed.size(); i++) {
        JsonObject a = allowed.getJsonObject(i);
        out.println("Not enforced within " + AdminCommand.shown(a.getString("cidr")) + ": it is allowlisted ("
            + AdminCommand.shown(a.getString("note")) + "), and the allowlist wins over blocks.");
      }
    });
  }

  static void printPage(JsonObject page, PrintWriter out) {
    JsonArray items = page.getJsonArray("items");
    TextTable t = new TextTable("ADDRESS/RANGE", "KIND", "REASON", "INVALID", "FIRST SEEN", "LAST SEEN", "EXPIRES", "BY", "STATUS");
    for (int i = 0; i < items.size(); i++) {
      JsonObject b = items.getJsonObject(i);
      boolean manual = "manual".equals(b.getString("kind"));
      t.add(b.getString("cidr"), b.getString("kind"), manual ? b.getString("note") : b.getString("reason"),
          b.getLong("invalidLogins"), AdminCommand.time(b.getString("firstSeen")), AdminCommand.time(b.getString("lastSeen")),
          AdminCommand.time(b.getString("expiresAt")), AdminCommand.maker(b), status(b));
    }
    if (t.isEmpty()) {
      out.println("No blocks match.");
    } else {
      t.print(out);
      out.println(pageLine(page, items.size()));
    }
  }

  static String status(JsonObject b) {
    if (b.getBoolean("active", false)) {
      return "active";
    }
    return b.getString("liftedAt") != null ? "lifted by " + AdminCommand.shown(b.getString("liftedBy")) : "expired";
  }

  static String pageLine(JsonObject page, int shown) {
    int offset = page.getInteger("offset");
    return (offset + 1) + "-" + (offset + shown) + " of " + page.getLong("total");
  }

  static void printExplanation(JsonObject x, PrintWriter out) {
    ExplainText.print(x, out);
  }
}
