package com.timereg.gateway.edge;

import com.timereg.gateway.testsupport.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A real HTTPS client of one gateway's public listener, trusting exactly the gateway's certificate.
 * Calls start on the client's own Vert.x context (see {@link Await}); it keeps no cookies, so every
 * test says exactly which cookies it sends.
 */
final class GatewayClient implements AutoCloseable {
  private final Context context;
  private final HttpClientAgent client;
  private final int port;

  GatewayClient(Vertx vertx, Gateway gateway, Path certFile) {
    this(vertx, gateway, certFile, HttpVersion.HTTP_1_1);
  }

  /** @param version HTTP/2 is negotiated through ALPN, as browsers do */
  GatewayClient(Vertx vertx, Gateway gateway, Path certFile, HttpVersion version) {
    this.port = gateway.publicPort();
    this.context = vertx.getOrCreateContext();
    this.client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true).setProtocolVersion(version)
        .setTrustOptions(new PemTrustOptions().addCertPath(certFile.toString()))
        .setDefaultHost("localhost").setDefaultPort(port), new PoolOptions().setHttp1MaxSize(16));
  }

  /** The self-signed certificate the gateway made for itself (no tls.cert-file configured). */
  static Path certificateOf(com.timereg.gateway.config.GatewayConfig config) throws java.io.IOException {
    return com.timereg.gateway.tls.SelfSignedCertificate.loadOrCreate(config.tls().selfSignedDir(), Clock.systemUTC()).certFile();
  }

  /** What a page of this gateway sends as Origin. */
  String origin() {
    return "https://localhost:" + port;
  }

  int port() {
    return port;
  }

  Context context() {
    return context;
  }

  /** Runs {@code calls} on the client's context and waits for them. */
  <T> T await(Supplier<Future<T>> calls) {
    return Await.await(context, calls);
  }

  Reply get(String uri, String... headerPairs) {
    return send(HttpMethod.GET, uri, headers(headerPairs), null);
  }

  Reply postJson(String uri, JsonObject body, String... headerPairs) {
    MultiMap h = headers(headerPairs).set("Content-Type", "application/json");
    return send(HttpMethod.POST, uri, h, body.encode());
  }

  Reply postForm(String uri, Map<String, String> fields, String... headerPairs) {
    MultiMap h = headers(headerPairs).set("Content-Type", "application/x-www-form-urlencoded");
    return send(HttpMethod.POST, uri, h, form(fields));
  }

  Reply send(HttpMethod method, String uri, MultiMap headers, String body) {
    return await(() -> sendAsync(method, uri, headers, body));
  }

  /** Must run on {@link #context()}; for requests a test wants in flight together. */
  Future<Reply> sendAsync(HttpMethod method, String uri, MultiMap headers, String body) {
    long start = System.nanoTime();
    return client.request(new RequestOptions().setMethod(method).setURI(uri).setHeaders(headers))
        .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.version(),
            MultiMap.caseInsensitiveMultiMap().addAll(resp.headers()), b.toString(StandardCharsets.UTF_8),
            System.nanoTime() - start)));
  }

  /** Retries {@code condition} every 50 ms until it is true; fails after {@code bound}. Runs on the context. */
  Future<Void> until(Duration bound, Supplier<Future<Boolean>> condition) {
    return untilDeadline(System.nanoTime() + bound.toNanos(), bound, condition);
  }

  private Future<Void> untilDeadline(long deadline, Duration bound, Supplier<Future<Boolean>> condition) {
    return condition.get().compose(done -> {
      if (done) {
        return Future.succeededFuture();
      }
      if (System.nanoTime() - deadline > 0) {
        return Future.failedFuture(new AssertionError("condition not met within " + bound.toMillis() + " ms"));
      }
      return context.owner().timer(50).compose(t -> untilDeadline(deadline, bound, condition));
    });
  }

  /** Name-value pairs as request headers: {@code headers("Accept", "text/html", "Cookie", "a=b")}. */
  static MultiMap headers(String... pairs) {
    if (pairs.length % 2 != 0) {
      throw new IllegalArgumentException("header names and values come in pairs");
    }
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < pairs.length; i += 2) {
      h.add(pairs[i], pairs[i + 1]);
    }
    return h;
  }

  static String form(Map<String, String> fields) {
    StringBuilder b = new StringBuilder();
    fields.forEach((k, v) -> {
      if (b.length() > 0) {
        b.append('&');
      }
      b.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
    });
    return b.toString();
  }

  /** A Cookie header value from name-value pairs. */
  static String cookies(String... pairs) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < pairs.length; i += 2) {
      parts.add(pairs[i] + "=" + pairs[i + 1]);
    }
    return String.join("; ", parts);
  }

  @Override
  public void close() {
    Await.await(client.close());
  }

  /** A complete response; {@code nanos} from sending the request to the end of the body. */
  record Reply(int status, HttpVersion version, MultiMap headers, String body, long nanos) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String header(String name) {
      return headers.get(name);
    }

    List<SetCookie> setCookies() {
      return headers.getAll("Set-Cookie").stream().map(SetCookie::parse).toList();
    }

    Optional<SetCookie> setCookie(String name) {
      return setCookies().stream().filter(c -> c.name().equals(name)).reduce((first, second) -> second);
    }
  }

  /** One Set-Cookie header: its name, value and attributes (names lower-cased; flags map to ""). */
  record SetCookie(String name, String value, Map<String, String> attributes) {
    static SetCookie parse(String header) {
      String[] parts = header.split(";");
      int eq = parts[0].indexOf('=');
      Map<String, String> attributes = new LinkedHashMap<>();
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].trim();
        int e = p.indexOf('=');
        attributes.put((e < 0 ? p : p.substring(0, e)).toLowerCase(Locale.ROOT), e < 0 ? "" : p.substring(e + 1));
      }
      return new SetCookie(parts[0].substring(0, eq).trim(), parts[0].substring(eq + 1).trim(), attributes);
    }

    boolean has(String attribute) {
      return attributes.containsKey(attribute.toLowerCase(Locale.ROOT));
    }

    String attribute(String attribute) {
      return attributes.get(attribute.toLowerCase(Locale.ROOT));
    }
  }
}
