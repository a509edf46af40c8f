package com.timereg.gateway.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * A plain, blocking HTTP client of a running gateway's admin API, for the command line. Every
 * failure becomes an {@link AdminClientException} whose message tells the person what happened.
 */
final class AdminClient {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /**
   * The largest answer read: the API's largest, a page of 500 blocks, is some 500 KB. Something else at
   * --admin-url could answer without end and make the CLI run out of memory.
   */
  static final int MAX_ANSWER_BYTES = 8 << 20;

  private final URI base;
  private final String actor;
  private final String token;
  private final AdminTls.Context tls;
  private final HttpClient http;

  private final Duration requestTimeout;

  AdminClient(URI base, String actor, Duration requestTimeout) {
    this(base, actor, null, null, requestTimeout);
  }

  /**
   * @param tls the CAs to trust and the certificate to present; null: Java's trusted CAs, no certificate. Host
   *     names are verified either way.
   * @param token a staff access token for {@code Authorization: Bearer}, or null
   */
  AdminClient(URI base, String actor, AdminTls.Context tls, String token, Duration requestTimeout) {
    this.requestTimeout = requestTimeout;
    this.base = base;
    this.actor = actor;
    this.token = token;
    this.tls = tls;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER);
    if (tls != null) {
      b.sslContext(tls.ssl());
    }
    this.http = b.build();
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
    // A path in --admin-url is where a reverse proxy publishes the admin listener: the API is below it.
    String prefix = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
    URI uri = URI.create(base.getScheme() + "://" + base.getRawAuthority() + prefix + "/admin/api" + path);
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(requestTimeout)
        .header("Accept", "application/json");
    if (actor != null && !actor.isBlank()) {
      b.header("X-Admin-Actor", actor);
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
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
      response = await(http.sendAsync(b.build(), info -> new LimitedBody(uri)));
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
    } catch (SSLException e) {
      throw new AdminClientException(tlsFailure(e));
    } catch (IOException e) {
      if (tls != null && tls.keys().asked()) {
        // Asked for a certificate, then the connection dropped: with TLS 1.3 that is how a refusal arrives.
        throw new AdminClientException(certificateRefused(e.getMessage()));
      }
      throw new AdminClientException("cannot talk to the admin API at " + base + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdminClientException("interrupted");
    }
    if (response.statusCode() >= 300 && response.statusCode() < 400) {
      // The admin API never redirects: a reverse proxy in front of it does, to its sign-in page. Not followed (the
      // token would go along, and a sign-in page is for a browser); said as such rather than as "not JSON".
      String location = response.headers().firstValue("Location").orElse(null);
      throw new AdminClientException("the answer from " + uri + " is a redirect (HTTP " + response.statusCode()
          + (location == null ? ", no Location" : " to '" + location + "'") + "), which the admin API never sends;"
          + " a reverse proxy in front of it may want a sign-in in a browser. Redirects are not followed: set"
          + " --admin-url to the admin listener, or to where the proxy publishes it without a sign-in.");
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

  /**
   * What went wrong in the TLS handshake, in words that say which option fixes it. The JDK's own messages name
   * certification paths and alerts, and java.net.http wraps them.
   */
  private String tlsFailure(SSLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
        return "the admin listener's certificate at " + base + " is not trusted (not signed by a CA in --ca-file,"
            + " or by one Java trusts without it); pass the CA that signed it with --ca-file";
      }
      // The JDK's host-name check: "No subject alternative ... matching ..." or "No name matching ... found".
      if (t instanceof CertificateException && t.getMessage() != null && t.getMessage().contains(" matching ")) {
        return "the admin listener's certificate at " + base + " is not for host '" + base.getHost()
            + "'; use the name its certificate holds in --admin-url";
      }
    }
    if (tls != null && tls.keys().asked()) {
      return certificateRefused(e.getMessage());
    }
    return "TLS handshake with the admin API at " + base + " failed: " + e.getMessage();
  }

  private String certificateRefused(String detail) {
    return tls.keys().present()
        ? "the admin listener at " + base + " refused the TLS connection (" + detail + ") after asking for a client"
            + " certificate: is the one in --cert-file signed by its admin.tls.client-ca-file, unexpired and valid"
            + " for client authentication?"
        : "the admin listener at " + base + " refused the TLS connection (" + detail + ") after asking for a client"
            + " certificate: it wants a staff certificate signed by its admin.tls.client-ca-file; pass --cert-file"
            + " and --key-file (or a staff token with --token-file, where certificates are only requested)";
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

  /** The answer as UTF-8 text (JSON's encoding), refused once it grows beyond {@link #MAX_ANSWER_BYTES}. */
  private static final class LimitedBody implements HttpResponse.BodySubscriber<String> {
    private final URI uri;
    private final CompletableFuture<String> text = new CompletableFuture<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private Flow.Subscription subscription;

    LimitedBody(URI uri) {
      this.uri = uri;
    }

    @Override
    public CompletionStage<String> getBody() {
      return text;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      for (ByteBuffer buffer : buffers) {
        if (text.isDone()) {
          return;
        }
        if (buffer.remaining() > MAX_ANSWER_BYTES - bytes.size()) {
          subscription.cancel();
          text.completeExceptionally(new AdminClientException("the answer from " + uri + " is larger than "
              + (MAX_ANSWER_BYTES >> 20) + " MB, more than the admin API ever sends; is --admin-url the admin listener?"));
          return;
        }
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        bytes.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable e) {
      text.completeExceptionally(e);
    }

    @Override
    public void onComplete() {
      text.complete(bytes.toString(StandardCharsets.UTF_8));
    }
  }

  /** A failure to show as is, after "gateway admin: ". */
  static final class AdminClientException extends RuntimeException {
    AdminClientException(String message) {
      super(message, null, false, false);
    }
  }
}
