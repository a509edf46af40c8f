package com.timereg.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.CapturedLogs;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The code exchange against a token endpoint of our own (a stand-in for a misconfigured tenant, a captive proxy or a
 * hostile provider): its answer is read at most {@link Providers#MAX_DOCUMENT} bytes and within
 * {@code sso.token-timeout}, and a download past either is ended, the connection closed; the sign-in is refused as
 * the provider's outage. The callback runs as in the gateway, against a real database.
 */
@ExtendWith(PostgresExtension.class)
class CodeExchangeBoundsTest {
  static final String REDIRECT_URI = "https://gateway.example/sso/callback";
  static final Duration TOKEN_TIMEOUT = Duration.ofSeconds(1);
  /** A client secret with every character HTTP Basic's form-encoding changes (Entra's hold '~', '.', sometimes '+'). */
  static final String SECRET = "s3cret:with/odd chars+a=b%zz~x.y\u00f8";
  /** What the endless token endpoint sends at most, so that a gateway reading it all still ends the test. */
  static final long HUGE_TOTAL = 64L * 1024 * 1024;

  static Vertx vertx;
  static Database database;
  static TestDatabase db;
  static HttpServer stub;
  static String base;

  /** Closed when the token endpoint's connection closes; per tenant. */
  static final Map<String, CompletableFuture<Long>> closed = new java.util.concurrent.ConcurrentHashMap<>();
  static final AtomicBoolean hugeSentAll = new AtomicBoolean();
  /** The last token request's form and Authorization header. */
  static volatile String lastForm;
  static volatile String lastAuthorization;
  /** The PKCE verifier of each tenant's pending sign-in. */
  static final Map<String, String> verifiers = new java.util.concurrent.ConcurrentHashMap<>();

  @BeforeAll
  static void start(TestDatabase testDb) {
    db = testDb;
    vertx = Vertx.vertx();
    database = Database.create(vertx, db.databaseSettings());
    stub = Await.await(vertx.createHttpServer().requestHandler(CodeExchangeBoundsTest::answer).listen(0, "127.0.0.1"));
    base = "http://127.0.0.1:" + stub.actualPort();
  }

  @AfterAll
  static void stop() {
    Await.await(database.close());
    Await.await(vertx.close());
  }

  private static void answer(HttpServerRequest request) {
    String path = request.path();
    if (path.equals("/keys")) {
      request.response().putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("keys", new JsonArray().add(ProvidersTest.RSA_KEY)).encode());
      return;
    }
    String tenant = path.substring(1, path.indexOf('/', 1));
    if (path.endsWith("/token")) {
      CompletableFuture<Long> done = closed.computeIfAbsent(tenant, t -> new CompletableFuture<>());
      request.body().onSuccess(form -> {
        lastForm = form.toString(StandardCharsets.UTF_8);
        lastAuthorization = request.getHeader("Authorization");
        HttpServerResponse response = request.response().setChunked(true).putHeader("Content-Type", "application/json");
        AtomicLong sent = new AtomicLong();
        request.connection().closeHandler(v -> done.complete(sent.get()));
        if (tenant.equals("huge")) {
          response.write("{\"access_token\":\"");
          pump(response, sent);
        } else if (tenant.equals("drip")) {
          // A byte every 50 ms, for ever: each well within any idle timeout.
          response.write("{");
          long timer = vertx.setPeriodic(50, id -> response.write(" "));
          request.connection().closeHandler(v -> {
            vertx.cancelTimer(timer);
            done.complete(sent.get());
          });
        } else if (tenant.equals("expired")) {
          // A token response that says it expired an hour ago (a provider's clock far off, or a replayed answer).
          response.end(new JsonObject().put("access_token", "a").put("token_type", "Bearer").put("id_token", "x.y.z")
              .put("expires_in", -3600).encode());
        } else {
          response.setStatusCode(400).end(new JsonObject().put("error", "invalid_grant")
              .put("error_description", "code already redeemed").encode());
        }
      });
      return;
    }
    JsonObject doc = new JsonObject()
        .put("issuer", base + "/" + tenant)
        .put("authorization_endpoint", base + "/" + tenant + "/authorize")
        .put("token_endpoint", base + "/" + tenant + "/token")
        .put("jwks_uri", base + "/keys");
    if (tenant.equals("postonly")) {
      doc.put("token_endpoint_auth_methods_supported", new JsonArray().add("client_secret_post"));
    } else if (tenant.equals("both")) {
      doc.put("token_endpoint_auth_methods_supported", new JsonArray().add("client_secret_post").add("client_secret_basic"));
    }
    request.response().putHeader("Content-Type", "application/json").end(doc.encode());
  }

  /** Writes 64 KiB chunks as fast as the client reads them, up to {@link #HUGE_TOTAL}. */
  private static void pump(HttpServerResponse response, AtomicLong sent) {
    Buffer chunk = Buffer.buffer("x".repeat(64 * 1024));
    while (!response.writeQueueFull()) {
      if (sent.get() >= HUGE_TOTAL) {
        hugeSentAll.set(true);
        response.end("\"}");
        return;
      }
      response.write(chunk).onFailure(e -> {});
      sent.addAndGet(chunk.length());
    }
    response.drainHandler(v -> pump(response, sent));
  }

  private SignInCallback callback() {
    SsoSettings d = SsoSettings.DEFAULTS;
    SsoSettings settings = new SsoSettings(base + "/{tenant}", Optional.of(URI.create("https://gateway.example")), true,
        Duration.ofSeconds(10), TOKEN_TIMEOUT, d.requestLifetime(), d.clockSkew(), d.providerRefresh(),
        d.maxStartsPerAddressPerMinute());
    Clock clock = Clock.systemUTC();
    SsoDirectory directory = new SsoDirectory(database.pool());
    SsoService.Outcomes outcomes = new SsoService.Outcomes(new SsoAudit(database.pool(), "node-1", clock),
        SsoMetrics.NONE, client -> {}, (client, name) -> {});
    Providers providers = new Providers(vertx, settings,
        new SecretReferences(vertx, Map.of("CODE_EXCHANGE_SECRET", SECRET)::get,
            com.timereg.gateway.tls.KeyFileMode::secretFileRefusal), clock);
    return new SignInCallback(settings, directory, new SsoRequests(database.pool()), providers,
        new AccountMatcher(directory), null, outcomes, () -> Optional.of(REDIRECT_URI), clock);
  }

  /** A customer on the stub's tenant and a pending sign-in of it; the state and browser binding to call back with. */
  private static String[] pending(String tenant, String secretRef) throws Exception {
    long customerId;
    try (Connection c = db.openJdbc(); PreparedStatement s = c.prepareStatement("INSERT INTO customers (slug, name, "
        + "sso_mode, entra_tenant_id, sso_client_id, sso_client_secret_ref) VALUES (?, ?, 'optional', ?, 'app', ?) "
        + "RETURNING id")) {
      s.setString(1, "cx-" + tenant);
      s.setString(2, "cx-" + tenant);
      s.setString(3, tenant);
      s.setString(4, secretRef);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        customerId = r.getLong(1);
      }
    }
    String state = Randoms.token();
    verifiers.put(tenant, Randoms.token());
    String binding = Randoms.token();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    assertThat(Await.await(new SsoRequests(database.pool()).saveWithin(1, Randoms.sha256(state),
        new PendingSignIn(Randoms.sha256(binding), customerId, Randoms.token(), verifiers.get(tenant),
            "x@" + tenant + ".example", "/", now, now.plus(Duration.ofMinutes(10)))))).isTrue();
    return new String[] {state, binding};
  }

  private static SsoRefusal refusal(SsoService.CallbackResult result) {
    assertThat(result).isInstanceOf(SsoService.CallbackResult.Refused.class);
    return ((SsoService.CallbackResult.Refused) result).refusal();
  }

  /**
   * A token endpoint answering far more than any token response (a few KB): the gateway stops reading past 1 MiB and
   * closes the connection, the sign-in is the provider's outage, and the log says why.
   */
  @Test
  void aTokenAnswerLargerThanTheBoundIsNotReadWholeAndIsTheProvidersOutage() throws Exception {
    String[] p = pending("huge", null);
    try (CapturedLogs logs = CapturedLogs.atDebug()) {
      SsoRefusal refusal = refusal(Await.await(callback().complete(InetAddress.getLoopbackAddress(),
          new SsoService.CallbackParams(p[0], "the-code", null, null), p[1])));
      assertThat(refusal).isEqualTo(SsoRefusal.PROVIDER_UNAVAILABLE);
      assertThat(logs.lines()).anyMatch(line -> line.contains("larger than " + Providers.MAX_DOCUMENT + " bytes"));
    }
    long sent = closed.get("huge").get(30, TimeUnit.SECONDS);
    assertThat(hugeSentAll).as("the stand-in could send all %d bytes", HUGE_TOTAL).isFalse();
    assertThat(sent).as("bytes the stand-in could write before the gateway closed the connection")
        .isLessThan(HUGE_TOTAL);
  }

  /**
   * A token endpoint trickling its answer past sso.token-timeout: the sign-in is refused at the timeout, and the
   * exchange's connection is closed with it, not left downloading in the background.
   */
  @Test
  void aTokenAnswerTrickledPastTheTimeoutEndsItsDownload() throws Exception {
    String[] p = pending("drip", null);
    SsoRefusal refusal = refusal(Await.await(callback().complete(InetAddress.getLoopbackAddress(),
        new SsoService.CallbackParams(p[0], "the-code", null, null), p[1])));
    assertThat(refusal).isEqualTo(SsoRefusal.PROVIDER_UNAVAILABLE);
    // Well below the connection's idle timeout (60 s), which the trickle never reaches anyway.
    assertThat(closed.get("drip")).as("the timed-out exchange's connection is closed")
        .succeedsWithin(Duration.ofSeconds(10));
  }

  /** A token response whose expires_in has already passed, beyond the clock skew, is refused as expired. */
  @Test
  void aTokenResponseThatHasAlreadyExpiredIsRefusedAsExpired() throws Exception {
    String[] p = pending("expired", null);
    SsoRefusal refusal = refusal(Await.await(callback().complete(InetAddress.getLoopbackAddress(),
        new SsoService.CallbackParams(p[0], "the-code", null, null), p[1])));
    assertThat(refusal).isEqualTo(SsoRefusal.TOKEN_EXPIRED);
  }

  /**
   * What the exchange sends (pinned, as the library sent it): the code, the redirect URI, the PKCE verifier, the
   * grant type, and the client secret by HTTP Basic; an OAuth error answer is a refused code.
   */
  @Test
  void theExchangeSendsCodeVerifierRedirectUriAndClientSecret() throws Exception {
    String[] p = pending("refusing", "env:CODE_EXCHANGE_SECRET");
    SsoRefusal refusal = refusal(Await.await(callback().complete(InetAddress.getLoopbackAddress(),
        new SsoService.CallbackParams(p[0], "the-code", null, null), p[1])));
    assertThat(refusal).isEqualTo(SsoRefusal.CODE_REJECTED);
    Map<String, String> form = new java.util.HashMap<>();
    for (String pair : lastForm.split("&")) {
      String[] kv = pair.split("=", 2);
      form.put(java.net.URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    assertThat(form).containsEntry("grant_type", "authorization_code").containsEntry("code", "the-code")
        .containsEntry("redirect_uri", REDIRECT_URI).containsEntry("code_verifier", verifiers.get("refusing"))
        .doesNotContainKey("client_secret");
    // As a strict server reads it: mock-oauth2-server's Nimbus SDK (and Entra) decode both parts.
    com.nimbusds.oauth2.sdk.auth.ClientSecretBasic read = com.nimbusds.oauth2.sdk.auth.ClientSecretBasic.parse(lastAuthorization);
    assertThat(read.getClientID().getValue()).isEqualTo("app");
    assertThat(read.getClientSecret().getValue()).isEqualTo(SECRET);
    // RFC 6749 2.3.1: each form-encoded, then joined by ':' and Base64-encoded.
    assertThat(lastAuthorization).isEqualTo("Basic " + Base64.getEncoder().encodeToString(("app:"
        + java.net.URLEncoder.encode(SECRET, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));

    String[] publicClient = pending("refusing2", null);
    refusal(Await.await(callback().complete(InetAddress.getLoopbackAddress(),
        new SsoService.CallbackParams(publicClient[0], "code-2", null, null), publicClient[1])));
    assertThat(lastAuthorization).isNull();
    assertThat(lastForm).contains("client_id=app").contains("code_verifier=" + verifiers.get("refusing2"))
        .doesNotContain("client_secret");
  }

  /**
   * A provider whose discovery document names only client_secret_post gets the secret in the form (with the client
   * id), not in a header it does not read; one naming both, or none (RFC 8414: then basic), gets HTTP Basic.
   */
  @Test
  void theSecretGoesInTheFormOnlyToAProviderThatTakesNothingElse() throws Exception {
    String[] p = pending("postonly", "env:CODE_EXCHANGE_SECRET");
    assertThat(refusal(Await.await(callback().complete(InetAddress.getLoopbackAddress(),
        new SsoService.CallbackParams(p[0], "the-code", null, null), p[1])))).isEqualTo(SsoRefusal.CODE_REJECTED);
    assertThat(lastAuthorization).isNull();
    assertThat(formOf(lastForm)).containsEntry("client_id", "app").containsEntry("client_secret", SECRET)
        .containsEntry("code", "the-code");

    String[] both = pending("both", "env:CODE_EXCHANGE_SECRET");
    refusal(Await.await(callback().complete(InetAddress.getLoopbackAddress(),
        new SsoService.CallbackParams(both[0], "the-code", null, null), both[1])));
    assertThat(lastAuthorization).startsWith("Basic ");
    assertThat(formOf(lastForm)).doesNotContainKey("client_secret");
  }

  private static Map<String, String> formOf(String body) {
    Map<String, String> form = new java.util.HashMap<>();
    for (String pair : body.split("&")) {
      String[] kv = pair.split("=", 2);
      form.put(java.net.URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    return form;
  }
}
