package com.timereg.gateway.testsupport;

import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * An HTTPS client of the gateway's public listener whose connections leave from one source
 * address of 127.0.0.0/8, so the gateway sees a real, distinct client IP (on Linux every
 * 127.x.y.z is a loopback address). Calls block the test thread; the requests themselves run on
 * a Vert.x context (see {@link Await}).
 */
public final class SourceClient implements AutoCloseable {
  private final String source;
  private final Context context;
  private final HttpClientAgent client;

  /** @param port the gateway's public (TLS) port */
  public SourceClient(Vertx vertx, String source, int port) {
    this(vertx, source, new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
        .setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  private SourceClient(Vertx vertx, String source, HttpClientOptions options) {
    this.source = source;
    this.context = vertx.getOrCreateContext();
    this.client = vertx.createHttpClient(options.setLocalAddress(source));
  }

  /** A plain-HTTP client of the admin listener (metrics, health). */
  public static SourceClient admin(Vertx vertx, int adminPort) {
    return new SourceClient(vertx, "127.0.0.1", new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(adminPort));
  }

  /** The Prometheus text of the admin listener's /metrics. */
  public String metrics() {
    Reply r = get("/metrics", Map.of());
    if (r.status() != 200) {
      throw new AssertionError("/metrics answered " + r.status());
    }
    return r.body();
  }

  /** The value of one sample line of Prometheus text, e.g. {@code gateway_throttle_surge_active}; NaN if absent. */
  public static double sample(String metrics, String nameAndLabels) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(nameAndLabels + " ")) {
        return Double.parseDouble(line.substring(nameAndLabels.length() + 1).strip());
      }
    }
    return Double.NaN;
  }

  public String source() {
    return source;
  }

  /** An answer, read whole. */
  public record Reply(int status, MultiMap headers, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public String header(String name) {
      return headers.get(name);
    }
  }

  /** POST /auth/token as an app does: JSON in, JSON out. */
  public Reply token(String loginName, String password) {
    return token(loginName, password, Map.of());
  }

  /** @param extra further request headers, e.g. X-Forwarded-For */
  public Reply token(String loginName, String password, Map<String, String> extra) {
    Map<String, String> headers = new java.util.HashMap<>(extra);
    headers.put("Accept", "application/json");
    headers.put("Content-Type", "application/json");
    return send(HttpMethod.POST, "/auth/token", headers,
        new JsonObject().put("username", loginName).put("password", password).encode());
  }

  /** A login that must fail: a fresh unknown name each time, so no per-name slow-down builds up. */
  public Reply failLogin() {
    return failLogin(Map.of());
  }

  public Reply failLogin(Map<String, String> extra) {
    return token("nobody-" + java.util.UUID.randomUUID(), "wrong password", extra);
  }

  /**
   * Fails logins until the gateway answers 429, at most {@code max} times.
   *
   * @return how many logins failed (401) before the first 429
   */
  public int failUntilBlocked(int max, Map<String, String> extra) {
    for (int failed = 0; failed <= max; failed++) {
      Reply r = failLogin(extra);
      if (r.status() == 429) {
        return failed;
      }
      if (r.status() != 401) {
        throw new AssertionError("a failing login from " + source + " answered " + r.status() + ": " + r.body());
      }
    }
    throw new AssertionError(source + " was not blocked after " + max + " failed logins");
  }

  /** POST /auth/refresh as an app does, with the refresh token in the JSON body. */
  public Reply refresh(String refreshToken) {
    return send(HttpMethod.POST, "/auth/refresh", Map.of("Accept", "application/json", "Content-Type", "application/json"),
        new JsonObject().put("refresh_token", refreshToken).encode());
  }

  /**
   * The browser's way in: loads the login page for its form token, then posts the form. A success
   * answers 303 with the session cookies ({@link #cookies}).
   */
  public Reply formLogin(String loginName, String password) {
    Reply page = get("/login", Map.of("Accept", "text/html"));
    String csrf = cookies(page).get("__Host-gw-csrf");
    if (csrf == null) {
      throw new AssertionError("the login page set no form token (status " + page.status() + ")");
    }
    String form = "username=" + encode(loginName) + "&password=" + encode(password) + "&csrf=" + encode(csrf) + "&next=%2F";
    return send(HttpMethod.POST, "/login", Map.of("Accept", "text/html", "Content-Type", "application/x-www-form-urlencoded",
        "Cookie", "__Host-gw-csrf=" + csrf), form);
  }

  /** The cookies an answer sets, by name (values only, attributes dropped). */
  public static Map<String, String> cookies(Reply reply) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (String header : reply.headers().getAll("Set-Cookie")) {
      String pair = header.split(";", 2)[0];
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
      }
    }
    return out;
  }

  /** A Cookie request header carrying these cookies, as a browser sends them back. */
  public static String cookieHeader(Map<String, String> cookies) {
    return cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(java.util.stream.Collectors.joining("; "));
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  public Reply get(String path, Map<String, String> headers) {
    return send(HttpMethod.GET, path, headers, null);
  }

  /** GET with an access token, as an app calls the backend through the gateway. */
  public Reply getWithToken(String path, String accessToken) {
    return get(path, Map.of("Accept", "application/json", "Authorization", "Bearer " + accessToken));
  }

  public Reply send(HttpMethod method, String path, Map<String, String> headers, String body) {
    RequestOptions options = new RequestOptions().setMethod(method).setURI(path);
    headers.forEach(options::putHeader);
    return Await.await(context, () -> client.request(options)
        .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.headers(), b.toString()))));
  }

  @Override
  public void close() {
    Await.await(client.close());
  }
}
