package com.timereg.gateway.edge;

import com.timereg.gateway.config.GatewayConfig;
import com.timereg.gateway.demo.DemoBackend;
import com.timereg.gateway.login.Csrf;
import com.timereg.gateway.session.SessionCookies;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One real gateway for end-to-end tests: TLS listener on port 0, the test class's PostgreSQL database,
 * a demo backend of its own (or none: a backend URL nobody listens on), and an HTTPS client trusting
 * the gateway's certificate.
 */
final class E2eGateway implements AutoCloseable {
  private final Vertx backendVertx;
  private final DemoBackend backend;
  final Gateway gateway;
  final GatewayClient http;
  /** The gateway's self-signed certificate, which the test clients trust (and nothing else). */
  final Path certFile;

  private E2eGateway(Vertx backendVertx, DemoBackend backend, Gateway gateway, Path certFile, Vertx clientVertx) {
    this.backendVertx = backendVertx;
    this.backend = backend;
    this.gateway = gateway;
    this.certFile = certFile;
    this.http = new GatewayClient(clientVertx, gateway, certFile);
  }

  /**
   * @param backendLatencyMs the demo backend's delay before every answer; negative for no backend at
   *     all (the gateway points at a port that was free a moment ago)
   * @param env settings as environment variables, over the defaults below
   */
  static E2eGateway start(Path dir, TestDatabase db, Vertx clientVertx, long backendLatencyMs, Map<String, String> env)
      throws Exception {
    Vertx backendVertx = Vertx.vertx();
    DemoBackend backend = null;
    int backendPort;
    if (backendLatencyMs >= 0) {
      backend = new DemoBackend(backendVertx, new DemoBackend.Options(backendLatencyMs, DemoBackend.Options.DEFAULT_RESPONSE_BYTES));
      backendPort = Await.await(backend.start("127.0.0.1", 0));
    } else {
      try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        backendPort = s.getLocalPort();
      }
    }
    Map<String, String> all = new HashMap<>(defaults());
    all.put("GATEWAY_BACKEND__URL", "http://127.0.0.1:" + backendPort);
    all.putAll(env);
    Files.createDirectories(dir);
    GatewayConfig config = TestGateways.config(dir, db, all);
    Gateway gateway;
    try {
      gateway = Gateway.start(config);
    } catch (Exception | Error e) {
      backendVertx.close();
      throw e;
    }
    return new E2eGateway(backendVertx, backend, gateway, GatewayClient.certificateOf(config), clientVertx);
  }

  /**
   * Throttle limits none of these tests reach (they are about login and proxying, not blocking; the
   * throttle has its own end-to-end tests), small maps, and a cheap but real PBKDF2 count.
   */
  static Map<String, String> defaults() {
    return Map.of(
        "GATEWAY_PASSWORD__ITERATIONS", "20000",
        "GATEWAY_THROTTLE__IP_FAILURE_LIMIT", "1000000",
        "GATEWAY_THROTTLE__RANGE_FAILURE_LIMIT", "1000000",
        "GATEWAY_THROTTLE__SURGE_FAILURES_PER_MINUTE", "100000000",
        "GATEWAY_THROTTLE__ACCOUNT_FREE_FAILURES", "1000",
        "GATEWAY_THROTTLE__CLIENT_ENTRIES", "1000",
        "GATEWAY_THROTTLE__RANGE_ENTRIES", "1000");
  }

  // --- logging in, as an app and as a browser ---

  GatewayClient.Reply tokenLogin(String loginName, String password) {
    return http.postJson("/auth/token", new JsonObject().put("username", loginName).put("password", password));
  }

  /** An access token for an app, after a successful login. */
  String accessToken(String loginName, String password) {
    GatewayClient.Reply r = tokenLogin(loginName, password);
    if (r.status() != 200) {
      throw new AssertionError("login of " + loginName + " failed: " + r.status() + " " + r.body());
    }
    return r.json().getString("access_token");
  }

  /** A CSRF token as a browser gets it: the login page sets its cookie and puts it in the form. */
  String csrfToken() {
    GatewayClient.Reply page = http.get("/login", "Accept", "text/html");
    String token = hiddenField(page.body(), Csrf.FIELD);
    String cookie = page.setCookie(Csrf.COOKIE).orElseThrow(() -> new AssertionError("no CSRF cookie")).value();
    if (!token.equals(cookie)) {
      throw new AssertionError("form token and cookie differ");
    }
    return token;
  }

  /** The login form posted as a browser on our own page posts it. */
  GatewayClient.Reply formLogin(String csrf, String loginName, String password, String next) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(Csrf.FIELD, csrf);
    fields.put("next", next);
    fields.put("username", loginName);
    fields.put("password", password);
    return http.postForm("/login", fields, "Cookie", Csrf.COOKIE + "=" + csrf, "Origin", http.origin(),
        "Accept", "text/html");
  }

  /** The session cookies a browser holds after a successful form login, as a Cookie header. */
  static String sessionCookies(GatewayClient.Reply loggedIn) {
    return GatewayClient.cookies(
        SessionCookies.ACCESS, loggedIn.setCookie(SessionCookies.ACCESS).orElseThrow().value(),
        SessionCookies.REFRESH, loggedIn.setCookie(SessionCookies.REFRESH).orElseThrow().value());
  }

  /** The value of a hidden form field on a gateway page, HTML entities decoded. */
  static String hiddenField(String html, String name) {
    Matcher m = Pattern.compile("<input type=\"hidden\" name=\"" + Pattern.quote(name) + "\" value=\"([^\"]*)\">").matcher(html);
    if (!m.find()) {
      throw new AssertionError("no hidden field " + name + " in " + html);
    }
    return m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
        .replace("&amp;", "&");
  }

  /** Closes the gateways that started (nulls are skipped), then the clients' Vert.x. */
  static void closeAll(Vertx clientVertx, E2eGateway... gateways) {
    for (E2eGateway g : gateways) {
      if (g != null) {
        g.close();
      }
    }
    if (clientVertx != null) {
      clientVertx.close();
    }
  }

  @Override
  public void close() {
    http.close();
    gateway.stop();
    if (backend != null) {
      Await.await(backend.stop());
    }
    Await.await(backendVertx.close());
  }
}
