package com.timereg.gateway.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code gateway admin events}: recent logins on that node and the shared audit trail. */
@Command(name = "events", mixinStandardHelpOptions = true,
    description = "Recent security events, newest first: logins seen by that node, blocks and staff edits.")
final class EventsCommand implements java.util.concurrent.Callable<Integer> {
  @ParentCommand
  AdminCommand admin;

  @Spec
  CommandSpec spec;

  @Option(names = "--type", defaultValue = "all", description = "all, logins or audit (default: ${DEFAULT-VALUE}).")
  String type;

  @Option(names = "--offset", defaultValue = "0")
  int offset;

  @Option(names = "--limit", defaultValue = "50", description = "offset + limit at most 500 (default: ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Integer call() {
    String path = "/events?type=" + AdminClient.query(type) + "&offset=" + offset + "&limit=" + limit;
    return admin.run(spec, c -> c.get(path), (page, out) -> {
      JsonArray items = page.getJsonArray("items");
      if (items.isEmpty()) {
        out.println("No events.");
        return;
      }
      TextTable t = new TextTable("WHEN", "EVENT", "ADDRESS/RANGE", "BY/USER", "NOTE/DETAIL", "NODE");
      for (int i = 0; i < items.size(); i++) {
        JsonObject e = items.getJsonObject(i);
        if ("login".equals(e.getString("type"))) {
          t.add(AdminCommand.time(e.getString("at")), "login " + AdminCommand.shown(e.getString("outcome")), e.getString("address"),
              e.getString("loginName"), e.getString("detail"), e.getString("node"));
        } else {
          t.add(AdminCommand.time(e.getString("at")), e.getString("action"), e.getString("subject"),
              AdminCommand.actor(e), e.getString("note"), e.getString("node"));
        }
      }
      t.print(out);
      out.println(BlocksCommand.pageLine(page, items.size()));
    });
  }
}
