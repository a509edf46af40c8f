package com.timereg.gateway.admin;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The console's files and the OpenAPI document, read once from the jar at start and served from
 * memory. A fixed list rather than a static-file handler: nothing else can be served by accident,
 * and there is no path to traverse. The files hold no data; the API they call is what is guarded.
 */
final class ConsoleAssets {
  /**
   * Only our own files: no inline script, no other origin, no framing (clickjacking of the
   * unblock button), no form posting elsewhere.
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  private record Asset(String contentType, Buffer body) {}

  private final Map<String, Asset> assets = new LinkedHashMap<>();

  ConsoleAssets() {
    add("/admin/", "admin/console/index.html", "text/html; charset=utf-8");
    add("/admin/console.js", "admin/console/console.js", "text/javascript; charset=utf-8");
    add("/admin/console.css", "admin/console/console.css", "text/css; charset=utf-8");
    add("/admin/openapi.yaml", "admin/openapi.yaml", "application/yaml; charset=utf-8");
  }

  private void add(String path, String resource, String contentType) {
    assets.put(path, new Asset(contentType, Buffer.buffer(read(resource))));
  }

  static byte[] read(String resource) {
    try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("resource " + resource + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void mount(Router router) {
    // Vert.x matches "/admin" for "/admin/" too; only the bare path is redirected, so relative
    // links in the page resolve under /admin/. The Location is relative too: behind a reverse
    // proxy that publishes the listener below a path, "/admin/" would leave that path.
    router.get("/admin").handler(ctx -> {
      if (ctx.request().path().equals("/admin")) {
        // no-store: a 301 is cacheable by default and browsers keep it without end, so a console later
        // published elsewhere (another path behind a proxy) could never be reached again from those browsers.
        ctx.response().setStatusCode(301).putHeader("Location", "admin/").putHeader("Cache-Control", "no-store").end();
      } else {
        ctx.next();
      }
    });
    assets.forEach((path, asset) -> router.get(path).handler(ctx -> serve(ctx, asset)));
  }

  private static void serve(RoutingContext ctx, Asset asset) {
    ctx.response()
        .putHeader("Content-Type", asset.contentType())
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer")
        .end(asset.body());
  }
}
