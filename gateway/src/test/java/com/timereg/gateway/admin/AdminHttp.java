package com.timereg.gateway.admin;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A blocking client of a running admin listener for tests: real HTTP over loopback, with the
 * console's CSRF header on changes unless a test takes it off.
 */
final class AdminHttp {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  AdminHttp(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  record Response(int status, String body, Map<String, String> headers) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  Response get(String path) {
    return send("GET", path, null, Map.of());
  }

  Response post(String path, JsonObject body) {
    return send("POST", path, body.encode(), Map.of("X-Requested-With", "gateway-console"));
  }

  Response delete(String path, JsonObject body) {
    return send("DELETE", path, body == null ? null : body.encode(), Map.of("X-Requested-With", "gateway-console"));
  }

  Response send(String method, String path, String body, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
    headers.forEach(b::header);
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      Map<String, String> h = new LinkedHashMap<>();
      r.headers().map().forEach((k, v) -> h.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
      return new Response(r.statusCode(), r.body(), h);
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Polls every 20 ms until {@code check} holds, at most {@code bound}; polling, not sleeping for a fixed time. */
  static void eventually(Duration bound, String what, java.util.function.BooleanSupplier check) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!check.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + bound.toMillis() + " ms");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
