package com.timereg.gateway.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;

/** The explanation of one address, as text. */
final class ExplainText {
  private ExplainText() {}

  static void print(JsonObject x, PrintWriter out) {
    String address = AdminCommand.shown(x.getString("address"));
    JsonObject d = x.getJsonObject("decision");
    if (x.getBoolean("allowlisted")) {
      JsonObject a = x.getJsonObject("allowlistEntry");
      out.println(address + ": ALLOWLISTED by " + shown(a.getString("cidr")) + " (" + shown(a.getString("note"))
          + "), never blocked");
      // A manual block covering it is still active (listed below), as the block's answer warned: say which wins.
      JsonObject m = x.getJsonObject("manualBlock");
      if (m != null) {
        out.println("Manual block " + shown(m.getString("cidr")) + " until " + shown(AdminCommand.time(m.getString("until")))
            + " (" + shown(m.getString("reason")) + ", by " + shown(m.getString("createdBy"))
            + ") is not enforced: the allowlist wins over blocks.");
      }
    } else if (x.getBoolean("blocked")) {
      out.println(address + ": BLOCKED by " + shown(d.getString("kind")) + " entry " + shown(d.getString("subject"))
          + " until " + shown(AdminCommand.time(d.getString("until"))) + " (" + shown(d.getString("reasonText")) + ")");
    } else {
      out.println(address + ": not blocked");
    }
    out.println();
    TextTable counters = new TextTable("KEY", "INVALID IN WINDOW", "LIMIT", "BLOCKED CLIENTS", "BLOCKED UNTIL", "TOTAL INVALID", "RECENT SUCCESS");
    for (String key : new String[] {"client", "range"}) {
      JsonObject k = x.getJsonObject(key);
      counters.add(key + " " + k.getString("subject"), k.getValue("failuresInWindow"), k.getInteger("failureLimit"),
          k.getInteger("blockedClientLimit") > 0 ? k.getValue("blockedClientsInWindow") + "/" + k.getInteger("blockedClientLimit") : null,
          AdminCommand.time(k.getString("blockedUntil")), k.getLong("totalFailures"),
          recentSuccess(k));
    }
    counters.print(out);
    JsonObject s = x.getJsonObject("surge");
    out.println(s.getBoolean("active")
        ? "Surge mode ON: limits x" + shown(s.getValue("limitFactor")) + " (" + shown(s.getValue("failuresPerMinute"))
            + " invalid logins/min)"
        : "Surge mode off (" + shown(s.getValue("failuresPerMinute")) + " invalid logins/min; starts at "
            + shown(s.getValue("enterAt")) + ")");
    JsonObject history = x.getJsonObject("history");
    JsonArray blocks = history.getJsonArray("blocks");
    // The history is its client key's (an IPv6 /64): an unblock naming another address of the /64 lifted its block.
    String key = history.getString("subject");
    String about = key == null ? "it" : shown(key) + " (the key it is counted and blocked under)";
    out.println();
    out.println("Blocks overlapping " + about + ":");
    if (blocks.isEmpty()) {
      out.println("  none recorded");
    } else {
      TextTable t = new TextTable("ADDRESS/RANGE", "KIND", "CREATED", "EXPIRES", "BY", "STATUS");
      for (int i = 0; i < blocks.size(); i++) {
        JsonObject b = blocks.getJsonObject(i);
        t.add(b.getString("cidr"), b.getString("kind"), AdminCommand.time(b.getString("createdAt")),
            AdminCommand.time(b.getString("expiresAt")), AdminCommand.maker(b), BlocksCommand.status(b));
      }
      t.print(out);
    }
    JsonArray events = history.getJsonArray("events");
    out.println();
    out.println("Audit trail of " + (key == null ? "it" : shown(key)) + ":");
    if (events.isEmpty()) {
      out.println("  nothing recorded");
    } else {
      TextTable t = new TextTable("WHEN", "ACTION", "SUBJECT", "BY", "NOTE");
      for (int i = 0; i < events.size(); i++) {
        JsonObject e = events.getJsonObject(i);
        t.add(AdminCommand.time(e.getString("at")), e.getString("action"), e.getString("subject"),
            AdminCommand.actor(e), e.getString("note"));
      }
      t.print(out);
    }
  }

  private static String shown(Object value) {
    return AdminCommand.shown(value);
  }

  /** Whether success headroom raised the limit, and by how many distinct people (an older gateway sends none). */
  static String recentSuccess(JsonObject k) {
    if (!k.getBoolean("successHeadroom")) {
      return "no";
    }
    Integer people = k.getInteger("recentPeople");
    return people == null || people == 0 ? "yes (limits raised)"
        : "yes, ~" + people + (people == 1 ? " person" : " people") + " (limits raised)";
  }
}
