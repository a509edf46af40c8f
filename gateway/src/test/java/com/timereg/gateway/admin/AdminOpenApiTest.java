package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.timereg.gateway.blocks.BlockSync;
import com.timereg.gateway.blocks.BlockSyncMetrics;
import com.timereg.gateway.blocks.BlockSyncSettings;
import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.store.ConnectionSettings;
import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.DatabaseSettings;
import com.timereg.gateway.throttle.BlockRegistry;
import com.timereg.gateway.throttle.ThrottleMetrics;
import com.timereg.gateway.throttle.ThrottlePolicy;
import com.timereg.gateway.throttle.ThrottleService;
import com.timereg.gateway.throttle.ThrottleStorage;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Keeps {@code admin/openapi.yaml} true: every route of the admin listener's router is in the
 * document with its method, and every operation in the document is a route.
 */
@ExtendWith(VertxExtension.class)
class AdminOpenApiTest {

  /** The admin router as the gateway builds it; nothing here connects to anything. */
  static Router adminRouter(Vertx vertx) {
    ThrottleStorage storage = ThrottleStorage.inMemory(1000, 1000);
    ThrottleService throttle = new ThrottleService(ThrottlePolicy.DEFAULTS, new ClientKeys(ClientKeyPolicy.DEFAULTS),
        storage.clients(), storage.ranges(), new BlockRegistry(), Clock.systemUTC(), ThrottleMetrics.NOOP, Runnable::run);
    Database db = Database.create(vertx, DatabaseSettings.of(new ConnectionSettings("127.0.0.1", 1, "none", "none", "")));
    BlockSync sync = new BlockSync(vertx, db, throttle, BlockSyncSettings.DEFAULTS, Clock.systemUTC(), new BlockSyncMetrics() {});
    RecentLoginEvents logins = new RecentLoginEvents(10, Clock.systemUTC(), "test");
    SecurityConsole console = new SecurityConsole(throttle, sync, List.of(), logins,
        new AdminAccess(AdminAccess.Mode.LOOPBACK, null, null, "__Host-gw-access"), Clock.systemUTC());
    return AdminRouter.create(vertx, new Readiness(vertx), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), console);
  }

  static Set<String> routerOperations(Router router) {
    Set<String> out = new TreeSet<>();
    for (Route r : router.getRoutes()) {
      if (r.getPath() == null || r.methods() == null || r.methods().isEmpty()) {
        continue; // handlers for every request under a prefix (access, CSRF, body, 404), not operations
      }
      String path = r.getPath().replaceAll(":([A-Za-z0-9_]+)", "{$1}");
      for (HttpMethod m : r.methods()) {
        out.add(m.name().toLowerCase(Locale.ROOT) + " " + path);
      }
    }
    return out;
  }

  static Set<String> documentedOperations() throws Exception {
    JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(ConsoleAssets.read("admin/openapi.yaml"));
    Set<String> out = new TreeSet<>();
    Set<String> methods = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    for (Iterator<String> paths = doc.get("paths").fieldNames(); paths.hasNext(); ) {
      String path = paths.next();
      for (Iterator<String> ops = doc.get("paths").get(path).fieldNames(); ops.hasNext(); ) {
        String op = ops.next();
        if (methods.contains(op)) {
          out.add(op + " " + path);
        }
      }
    }
    return out;
  }

  @Test
  void everyRouteIsDocumentedAndEveryDocumentedOperationIsARoute(Vertx vertx) throws Exception {
    Set<String> routes = routerOperations(adminRouter(vertx));
    Set<String> documented = documentedOperations();
    assertThat(routes).contains("get /admin/api/blocks", "delete /admin/api/blocks/{cidr}", "get /metrics");
    assertThat(documented).as("documented but not routed").isSubsetOf(routes);
    assertThat(routes).as("routed but not documented").isSubsetOf(documented);
  }

  @Test
  void documentIsOpenApi3WithResolvableReferences() throws Exception {
    String text = new String(ConsoleAssets.read("admin/openapi.yaml"), java.nio.charset.StandardCharsets.UTF_8);
    JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(text);
    assertThat(doc.get("openapi").asText()).startsWith("3.");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$ref: \"#/([^\"]+)\"").matcher(text);
    int refs = 0;
    while (m.find()) {
      JsonNode target = doc;
      for (String part : m.group(1).split("/")) {
        target = target == null ? null : target.get(part);
      }
      assertThat(target).as("reference #/%s", m.group(1)).isNotNull();
      refs++;
    }
    assertThat(refs).isGreaterThan(20);
  }

  @Test
  void everyApiOperationDocumentsTheTooLongAndTooLargeAnswersItCanGet() throws Exception {
    // The listener answers 414 (request line over 4096 bytes: a pasted filter) before any route, and 413 (body
    // over 16 KB) for every edit: docs/admin.md lists both, so a client generated from the document must know them.
    JsonNode paths = new ObjectMapper(new YAMLFactory()).readTree(ConsoleAssets.read("admin/openapi.yaml")).get("paths");
    List<String> missing = new java.util.ArrayList<>();
    for (Iterator<String> it = paths.fieldNames(); it.hasNext(); ) {
      String path = it.next();
      if (!path.startsWith("/admin/api/")) {
        continue;
      }
      for (Iterator<String> ops = paths.get(path).fieldNames(); ops.hasNext(); ) {
        String op = ops.next();
        JsonNode responses = paths.get(path).get(op).get("responses");
        if (responses == null) {
          continue;
        }
        if (!responses.has("414")) {
          missing.add("414 " + op + " " + path);
        }
        if (paths.get(path).get(op).has("requestBody") && !responses.has("413")) {
          missing.add("413 " + op + " " + path);
        }
      }
    }
    assertThat(missing).isEmpty();
  }
}
