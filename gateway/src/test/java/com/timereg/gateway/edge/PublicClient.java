package com.timereg.gateway.edge;

import com.timereg.gateway.testsupport.Await;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A blocking HTTPS client for tests against a gateway's public or admin listener, driven on its own
 * Vert.x context (see {@link Await}). Keeps cookies like a browser would when asked to.
 */
final class PublicClient implements AutoCloseable {
  private static final Pattern CSRF_FIELD = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

  record Response(int status, MultiMap headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();
  private final WebClient client;
  private final Map<String, String> cookies = new LinkedHashMap<>();

  private PublicClient(WebClientOptions options) {
    client = WebClient.create(vertx, options.setFollowRedirects(false));
  }

  static PublicClient https(int port) {
    return new PublicClient(new WebClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
        .setDefaultHost("localhost").setDefaultPort(port));
  }

  static PublicClient plain(int port) {
    return new PublicClient(new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  Response get(String path) {
    return send(HttpMethod.GET, path, null, null, null);
  }

  Response postJson(String path, String bearer, JsonObject body) {
    return send(HttpMethod.POST, path, bearer, "application/json", Buffer.buffer(body.encode()));
  }

  Response postForm(String path, MultiMap form) {
    return keep(Await.await(context, () -> withCookies(client.request(HttpMethod.POST, path)).sendForm(form)));
  }

  /** An access token (and refresh token) from {@code POST /auth/token}. */
  JsonObject tokens(String login, String password) {
    Response r = postJson("/auth/token", null, new JsonObject().put("username", login).put("password", password));
    if (r.status() != 200) {
      throw new AssertionError("login of " + login + " failed: " + r.status() + " " + r.body());
    }
    return r.json();
  }

  /** Signs in through the login form, as a browser does; the session cookies are kept. */
  void signInWithForm(String login, String password) {
    String csrf = csrfOf(get("/login"));
    Response r = postForm("/login", MultiMap.caseInsensitiveMultiMap().add("csrf", csrf)
        .add("username", login).add("password", password).add("next", "/"));
    if (r.status() != 303) {
      throw new AssertionError("form login of " + login + " failed: " + r.status());
    }
  }

  static String csrfOf(Response page) {
    Matcher m = CSRF_FIELD.matcher(page.body());
    if (!m.find()) {
      throw new AssertionError("no CSRF field in the page: " + page.body());
    }
    return m.group(1);
  }

  private Response send(HttpMethod method, String path, String bearer, String type, Buffer body) {
    return keep(Await.await(context, () -> {
      HttpRequest<Buffer> request = withCookies(client.request(method, path));
      if (bearer != null) {
        request.putHeader("Authorization", "Bearer " + bearer);
      }
      if (type != null) {
        request.putHeader("Content-Type", type);
      }
      return body == null ? request.send() : request.sendBuffer(body);
    }));
  }

  private HttpRequest<Buffer> withCookies(HttpRequest<Buffer> request) {
    if (!cookies.isEmpty()) {
      StringBuilder header = new StringBuilder();
      cookies.forEach((k, v) -> header.append(header.length() == 0 ? "" : "; ").append(k).append('=').append(v));
      request.putHeader("Cookie", header.toString());
    }
    return request;
  }

  /** Remembers Set-Cookie values like a browser: an empty value or Max-Age=0 deletes. */
  private Response keep(HttpResponse<Buffer> response) {
    for (String set : response.cookies()) {
      String pair = set.split(";", 2)[0];
      int eq = pair.indexOf('=');
      String name = pair.substring(0, eq).trim();
      String value = pair.substring(eq + 1).trim();
      if (value.isEmpty() || set.toLowerCase(java.util.Locale.ROOT).contains("max-age=0")) {
        cookies.remove(name);
      } else {
        cookies.put(name, value);
      }
    }
    return new Response(response.statusCode(), response.headers(), response.bodyAsString() == null ? "" : response.bodyAsString());
  }

  @Override
  public void close() {
    Await.await(vertx.close());
  }
}
