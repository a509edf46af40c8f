package com.timereg.gateway.sso;

import com.timereg.gateway.testsupport.Await;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A browser as far as sign-in needs one: a real HTTP client, a cookie jar for the gateway's host,
 * and redirects followed by hand so each hop can be looked at. The gateway's self-signed
 * certificate is trusted without checking; the provider is plain HTTP on loopback.
 */
final class Browser implements AutoCloseable {
  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

  /** One response; {@code setCookies} are the raw Set-Cookie headers. */
  record Response(int status, MultiMap headers, String body, List<String> setCookies) {
    String location() {
      return headers.get("Location");
    }

    /** Whether the response set a cookie of this name to a non-empty value. */
    boolean sets(String cookie) {
      return setCookies.stream().anyMatch(c -> c.startsWith(cookie + "=") && !c.startsWith(cookie + "=;"));
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final HttpClientAgent client;
  private final String gatewayBase;
  private final Map<String, String> cookies = new LinkedHashMap<>();

  Browser(Vertx vertx, int gatewayPort) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.client = vertx.createHttpClient(new HttpClientOptions().setTrustAll(true).setVerifyHost(false));
    this.gatewayBase = "https://localhost:" + gatewayPort;
  }

  Response get(String pathOrUrl) {
    return send(HttpMethod.GET, pathOrUrl, null, null);
  }

  /** Posts a form to a path of the gateway. */
  Response postForm(String path, Map<String, String> fields) {
    StringBuilder body = new StringBuilder();
    fields.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&").append(enc(k)).append('=').append(enc(v)));
    return send(HttpMethod.POST, path, "application/x-www-form-urlencoded", body.toString());
  }

  /** The CSRF token of the login page (fetching it sets the cookie). */
  String csrfToken() {
    Matcher m = CSRF.matcher(get("/login").body());
    if (!m.find()) {
      throw new AssertionError("the login page has no CSRF field");
    }
    return m.group(1);
  }

  String cookie(String name) {
    return cookies.get(name);
  }

  void dropCookie(String name) {
    cookies.remove(name);
  }

  private Response send(HttpMethod method, String pathOrUrl, String contentType, String body) {
    String url = pathOrUrl.startsWith("http") ? pathOrUrl : gatewayBase + pathOrUrl;
    boolean toGateway = url.startsWith(gatewayBase);
    RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(url).setFollowRedirects(false)
        .addHeader("Accept", "text/html");
    if (toGateway && !cookies.isEmpty()) {
      StringBuilder header = new StringBuilder();
      cookies.forEach((k, v) -> header.append(header.length() == 0 ? "" : "; ").append(k).append('=').append(v));
      options.addHeader("Cookie", header.toString());
    }
    if (contentType != null) {
      options.addHeader("Content-Type", contentType);
      // What a browser sends with a form post from the gateway's own page.
      options.addHeader("Origin", gatewayBase);
    }
    Response r = Await.await(context, () -> client.request(options)
        .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), resp.headers(), b.toString(),
            resp.headers().getAll("Set-Cookie")))));
    if (toGateway) {
      remember(r.setCookies());
    }
    return r;
  }

  private void remember(List<String> setCookies) {
    for (String c : setCookies) {
      String pair = c.split(";", 2)[0];
      int eq = pair.indexOf('=');
      String name = pair.substring(0, eq).trim();
      String value = pair.substring(eq + 1).trim();
      boolean expired = c.toLowerCase(java.util.Locale.ROOT).contains("max-age=0");
      if (value.isEmpty() || expired) {
        cookies.remove(name);
      } else {
        cookies.put(name, value);
      }
    }
  }

  /** The value of a query parameter of a URL. */
  static String queryParam(String url, String name) {
    String query = URI.create(url).getRawQuery();
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (pair.substring(0, eq).equals(name)) {
        return java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** The URL with one query parameter's value replaced. */
  static String withQueryParam(String url, String name, String value) {
    return url.replaceAll("([?&]" + name + "=)[^&]*", "$1" + enc(value));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    Await.await(context, client::close);
  }
}
