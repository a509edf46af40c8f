package com.timereg.gateway.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code gateway admin allow add|remove|list}. */
@Command(name = "allow", mixinStandardHelpOptions = true, description = "The allowlist: addresses never blocked.")
final class AllowCommand implements Runnable {
  @ParentCommand
  AdminCommand admin;

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "add", description = "Allowlist an address or range on every node.")
  int add(@Parameters(paramLabel = "ADDRESS|RANGE") String target,
      @Option(names = "--note", required = true, description = "Whose it is and why; goes to the audit trail.") String note) {
    JsonObject body = new JsonObject().put("target", target.strip()).put("note", note);
    return admin.run(spec, c -> c.post("/allowlist", body),
        (a, out) -> out.println("Allowlisted " + AdminCommand.shown(a.getString("cidr")) + " on every node."));
  }

  @Command(name = "remove", description = "Remove exactly this range from the allowlist on every node.")
  int remove(@Parameters(paramLabel = "ADDRESS|RANGE") String target,
      @Option(names = "--note", required = true, description = "Why; goes to the audit trail.") String note) {
    JsonObject body = new JsonObject().put("note", note);
    return admin.run(spec, c -> c.delete("/allowlist/" + AdminClient.segment(target.strip()), body),
        (r, out) -> out.println("Removed " + AdminCommand.shown(r.getString("removed")) + " from the allowlist on every node."));
  }

  @Command(name = "list", description = "The allowlist, from the console and from the configuration.")
  int list(@Option(names = "--offset", defaultValue = "0") int offset,
      @Option(names = "--limit", defaultValue = "100", description = "At most 500 (default: ${DEFAULT-VALUE}).") int limit) {
    return admin.run(spec, c -> c.get("/allowlist?offset=" + offset + "&limit=" + limit), (page, out) -> {
      JsonArray items = page.getJsonArray("items");
      if (items.isEmpty()) {
        out.println("The allowlist is empty.");
        return;
      }
      TextTable t = new TextTable("ADDRESS/RANGE", "NOTE", "BY", "SINCE", "SOURCE");
      for (int i = 0; i < items.size(); i++) {
        JsonObject a = items.getJsonObject(i);
        t.add(a.getString("cidr"), a.getString("note"), a.getString("createdBy"),
            AdminCommand.time(a.getString("createdAt")), a.getString("source"));
      }
      t.print(out);
      out.println(BlocksCommand.pageLine(page, items.size()));
    });
  }
}
