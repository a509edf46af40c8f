package com.timereg.gateway.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A plain, blocking HTTP client of a running gateway's admin API, for the command line. Every
 * failure becomes an {@link AdminClientException} whose message tells the person what happened.
 */
final class AdminClient {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final URI base;
  private final String actor;
  private final HttpClient http;

  private final Duration requestTimeout;

  AdminClient(URI base, String actor) {
    this(base, actor, REQUEST_TIMEOUT);
  }

  AdminClient(URI base, String actor, Duration requestTimeout) {
    this.requestTimeout = requestTimeout;
    this.base = base;
    this.actor = actor;
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  JsonObject get(String pathAndQuery) {
    return send("GET", pathAndQuery, null);
  }

  JsonObject post(String path, JsonObject body) {
    return send("POST", path, body);
  }

  JsonObject delete(String path, JsonObject body) {
    return send("DELETE", path, body);
  }

  /** One path segment, with '/' and ':' escaped so a range fits in it. */
  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String query(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private JsonObject send(String method, String path, JsonObject body) {
    URI uri = base.resolve("/admin/api" + path);
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(requestTimeout)
        .header("Accept", "application/json");
    if (actor != null && !actor.isBlank()) {
      b.header("X-Admin-Actor", actor);
    }
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      // The API refuses changes without it (CSRF protection for browsers); scripts send it too.
      b.header("X-Requested-With", "gateway-console").header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
    }
    HttpResponse<String> response;
    try {
      response = await(http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()));
    } catch (HttpConnectTimeoutException e) {
      throw new AdminClientException("no answer from " + base + " within " + CONNECT_TIMEOUT.toSeconds()
          + " s; is the gateway running there? (--admin-url)");
    } catch (ConnectException e) {
      if (unresolved(e)) {
        throw new AdminClientException("cannot connect to the admin API at " + base + ": unknown host '"
            + base.getHost() + "'; check --admin-url.");
      }
      throw new AdminClientException("cannot connect to the admin API at " + base
          + " (connection refused); is the gateway running? Set --admin-url to its admin listener.");
    } catch (HttpTimeoutException e) {
      throw new AdminClientException("the admin API at " + base + " did not answer within "
          + requestTimeout.toSeconds() + " s");
    } catch (IOException e) {
      throw new AdminClientException("cannot talk to the admin API at " + base + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdminClientException("interrupted");
    }
    JsonObject json = parse(response.body());
    if (response.statusCode() >= 400) {
      String message = json != null && json.getString("message") != null ? json.getString("message")
          : "HTTP " + response.statusCode() + " from " + uri;
      throw new AdminClientException(response.statusCode() + " " + message);
    }
    if (json == null) {
      throw new AdminClientException("the answer from " + uri + " is not JSON; is --admin-url the admin listener?");
    }
    return json;
  }

  /**
   * The answer, body included, within the request timeout: java.net.http's own timeout ends with the answer's
   * head, so a gateway that froze or was cut off half-way through a body would keep the CLI waiting for ever.
   */
  private HttpResponse<String> await(CompletableFuture<HttpResponse<String>> pending)
      throws IOException, InterruptedException {
    try {
      return pending.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      pending.cancel(true);
      throw new HttpTimeoutException("no complete answer within " + requestTimeout);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException(e.getCause());
    }
  }

  /** java.net.http reports an unknown host as a ConnectException, with the real reason among its causes. */
  private static boolean unresolved(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException) {
        return true;
      }
    }
    return false;
  }

  private static JsonObject parse(String body) {
    try {
      return body == null || body.isBlank() ? null : new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  /** A failure to show as is, after "gateway admin: ". */
  static final class AdminClientException extends RuntimeException {
    AdminClientException(String message) {
      super(message, null, false, false);
    }
  }
}
