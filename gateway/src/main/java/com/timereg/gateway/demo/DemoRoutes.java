package com.timereg.gateway.demo;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The demo backend's endpoints. */
final class DemoRoutes {

  private static final String[] IDENTITY = {"X-Authenticated-User", "X-Authenticated-Customer", "X-Authenticated-Method"};

  private final Vertx vertx;
  private final DemoBackend.Options options;

  private DemoRoutes(Vertx vertx, DemoBackend.Options options) {
    this.vertx = vertx;
    this.options = options;
  }

  static Router router(Vertx vertx, DemoBackend.Options options) {
    DemoRoutes routes = new DemoRoutes(vertx, options);
    Router router = Router.router(vertx);
    router.get("/").handler(rc -> routes.later(() -> routes.home(rc)));
    router.get("/api/me").handler(rc -> routes.later(() -> routes.me(rc)));
    router.get("/api/headers").handler(rc -> routes.later(() -> routes.headers(rc)));
    router.get("/api/timesheets").handler(rc -> routes.later(() -> routes.timesheets(rc)));
    router.post("/api/timesheets").handler(rc -> {
      rc.request().pause();
      routes.later(() -> routes.echo(rc));
    });
    router.get("/api/blob").handler(rc -> routes.later(() -> routes.blob(rc)));
    router.get("/ws/echo").handler(routes::webSocketEcho);
    return router;
  }

  private void later(Runnable response) {
    if (options.latencyMs() == 0) {
      response.run();
    } else {
      vertx.setTimer(options.latencyMs(), id -> response.run());
    }
  }

  private void me(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    JsonObject forwarded = new JsonObject();
    request.headers().names().stream()
        .filter(name -> name.toLowerCase(Locale.ROOT).startsWith("x-forwarded-"))
        .sorted()
        .forEach(name -> forwarded.put(name.toLowerCase(Locale.ROOT), request.headers().get(name)));
    JsonObject body = new JsonObject()
        .put("user", request.getHeader(IDENTITY[0]))
        .put("customer", request.getHeader(IDENTITY[1]))
        .put("method", request.getHeader(IDENTITY[2]))
        .put("forwarded", forwarded)
        .put("protocol", request.version().alpnName());
    json(rc.response(), body);
  }

  /**
   * Every header as received, names lower-cased, all values kept: shows exactly what the gateway forwarded. Only
   * cookies lose their values: the browser sends every cookie it holds for the host (other local apps' too, a
   * cookie is not bound to a port), and echoing them would hand HttpOnly ones to any script on the page.
   */
  private void headers(RoutingContext rc) {
    Map<String, JsonArray> all = new TreeMap<>();
    for (Map.Entry<String, String> header : rc.request().headers()) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      String value = name.equals("cookie") ? cookieNames(header.getValue()) : header.getValue();
      all.computeIfAbsent(name, n -> new JsonArray()).add(value);
    }
    JsonObject body = new JsonObject();
    all.forEach(body::put);
    json(rc.response(), body);
  }

  /** {@code a=1; b=2} as {@code a=…; b=…}. */
  private static String cookieNames(String cookieHeader) {
    StringBuilder names = new StringBuilder();
    for (String pair : cookieHeader.split(";")) {
      String name = pair.strip();
      int eq = name.indexOf('=');
      if (eq >= 0) {
        name = name.substring(0, eq).strip();
      }
      if (!name.isEmpty()) {
        names.append(names.length() == 0 ? "" : "; ").append(name).append("=…");
      }
    }
    return names.toString();
  }

  private void timesheets(RoutingContext rc) {
    String user = rc.request().getHeader(IDENTITY[0]);
    JsonArray rows = new JsonArray()
        .add(row(1, "2026-11-23", "Internal", 7.5))
        .add(row(2, "2026-11-24", "Customer portal", 8.0))
        .add(row(3, "2026-11-25", "Customer portal", 6.25));
    json(rc.response(), new JsonObject().put("user", user).put("rows", rows));
  }

  private static JsonObject row(int id, String date, String project, double hours) {
    return new JsonObject().put("id", id).put("date", date).put("project", project).put("hours", hours);
  }

  /** Streams the request body straight back, as a backend saving and returning a timesheet import would. */
  private void echo(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    HttpServerResponse response = rc.response();
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    response.putHeader(HttpHeaders.CONTENT_TYPE, type == null ? "application/octet-stream" : type);
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, length);
    } else {
      response.setChunked(true);
    }
    request.pipeTo(response);
  }

  private void blob(RoutingContext rc) {
    long size;
    try {
      String requested = rc.request().getParam("size");
      size = requested == null ? options.responseBytes() : Long.parseLong(requested);
    } catch (NumberFormatException e) {
      size = -1;
    }
    if (size < 0 || size > DemoBackend.Options.MAX_RESPONSE_BYTES) {
      rc.response().setStatusCode(400);
      json(rc.response(), new JsonObject().put("error", "size must be between 0 and "
          + DemoBackend.Options.MAX_RESPONSE_BYTES));
      return;
    }
    BlobStream.send(rc.response(), size);
  }

  private void webSocketEcho(RoutingContext rc) {
    rc.request().toWebSocket().onSuccess(socket -> {
      socket.textMessageHandler(socket::writeTextMessage);
      socket.binaryMessageHandler(socket::writeBinaryMessage);
    }).onFailure(refused -> {
      // Vert.x answers most HTTP/1.1 refusals itself, but not an HTTP/2 stream (no WebSocket over h2 here):
      // without an answer the request would stay open until the client gives up.
      HttpServerResponse response = rc.response();
      if (!response.headWritten() && !response.closed()) {
        response.setStatusCode(400);
        json(response, new JsonObject().put("error", "a WebSocket needs an HTTP/1.1 upgrade request"));
      }
    });
  }

  private void home(RoutingContext rc) {
    MultiMap headers = rc.request().headers();
    StringBuilder rows = new StringBuilder();
    for (String name : IDENTITY) {
      String value = headers.get(name);
      rows.append("<tr><th>").append(name).append("</th><td>")
          .append(value == null ? "<em>none</em>" : Html.escape(value)).append("</td></tr>");
    }
    String page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Time registration (demo)"
        + "</title></head><body><h1>Time registration (demo backend)</h1><p>Identity the gateway forwarded:</p>"
        + "<table>" + rows + "</table></body></html>";
    rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8").end(page);
  }

  private static void json(HttpServerResponse response, JsonObject body) {
    response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(Buffer.buffer(body.encode()));
  }
}
