package com.timereg.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.login.SsoMode;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.ManualClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery against a real provider: cached per customer, refreshed, and failing in bounded time. */
class ProvidersTest {
  static MockOAuth2Server provider;
  static Vertx vertx;

  final ManualClock clock = new ManualClock(Instant.parse("2026-11-20T10:00:00Z"));

  @BeforeAll
  static void start() {
    provider = new MockOAuth2Server();
    provider.start();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    provider.shutdown();
    Await.await(vertx.close());
  }

  private Providers providers(String template, Duration discoveryTimeout) {
    SsoSettings d = SsoSettings.DEFAULTS;
    SsoSettings settings = new SsoSettings(template, Optional.empty(), true, discoveryTimeout, d.tokenTimeout(),
        d.requestLifetime(), d.clockSkew(), d.providerRefresh(), d.maxStartsPerAddressPerMinute());
    return new Providers(vertx, settings, new SecretReferences(vertx, Map.of("SECRET", "s")::get,
        com.timereg.gateway.tls.KeyFileMode::secretFileRefusal), clock);
  }

  private Providers providers() {
    // Generous: the provider makes a tenant's key on first use, which is slow on a busy machine.
    return providers(provider.url("/").toString() + "{tenant}", Duration.ofSeconds(60));
  }

  private static SsoCustomer customer(long id, String tenant, String client, String secret) {
    return new SsoCustomer(id, "c" + id, SsoMode.OPTIONAL, tenant, client, secret, List.of(), false);
  }

  private static Throwable failure(Future<?> f) {
    return Await.await(f.map(v -> (Throwable) null).otherwise(e -> e));
  }

  @Test
  void discoversTheIssuerOfTheCustomersTenantAndKeepsIt() {
    Providers p = providers();
    SsoCustomer c = customer(1, "contoso", "app", "env:SECRET");
    Providers.Provider first = Await.await(p.get(c));
    assertThat(first.issuer()).isEqualTo(provider.issuerUrl("contoso").toString());
    assertThat(Await.await(p.get(c))).isSameAs(first);
  }

  @Test
  void discoversAgainAfterTheRefreshIntervalOrWhenTheCustomerChangesClient() {
    Providers p = providers();
    SsoCustomer c = customer(2, "fabrikam", "app", null);
    Providers.Provider first = Await.await(p.get(c));
    Providers.Provider otherClient = Await.await(p.get(customer(2, "fabrikam", "app-2", null)));
    assertThat(otherClient).isNotSameAs(first);
    assertThat(otherClient.clientId()).isEqualTo("app-2");
    Providers.Provider same = Await.await(p.get(customer(2, "fabrikam", "app-2", null)));
    assertThat(same).isSameAs(otherClient);
    clock.advance(SsoSettings.DEFAULT_PROVIDER_REFRESH);
    assertThat(Await.await(p.get(customer(2, "fabrikam", "app-2", null)))).isNotSameAs(otherClient);
  }

  @Test
  void aSecretThatCannotBeReadMeansNotConfigured() {
    Throwable t = failure(providers().get(customer(3, "contoso", "app", "env:NOT_SET")));
    assertThat(t).isInstanceOf(SsoException.class);
    assertThat(((SsoException) t).refusal()).isEqualTo(SsoRefusal.NOT_CONFIGURED);
  }

  @Test
  void aSecretFileThatNeverAnswersFailsInBoundedTimeAsNotConfigured(@TempDir Path dir) throws Exception {
    // A named pipe nobody writes to: reading it blocks, as a hung network mount would.
    Path pipe = dir.resolve("client-secret");
    assertThat(new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor()).isZero();
    try {
      Providers p = providers(provider.url("/").toString() + "{tenant}", Duration.ofSeconds(1));
      Throwable t = failure(p.get(customer(5, "contoso", "app", "file:" + pipe)));
      assertThat(t).isInstanceOf(SsoException.class);
      assertThat(((SsoException) t).refusal()).isEqualTo(SsoRefusal.NOT_CONFIGURED);
      assertThat(t.getMessage()).contains(pipe.toString());
    } finally {
      // Lets a blocked read (if any) end, so the worker thread it holds is given back. Opened for reading and
      // writing, which on Linux does not wait for a reader as a write-only open of a pipe would.
      try (java.io.RandomAccessFile w = new java.io.RandomAccessFile(pipe.toFile(), "rw")) {
        w.write('s');
      }
    }
  }

  /**
   * A provider of our own: discovery documents per tenant (one naming an issuer other than its URL, one answered
   * only when the test says so) and a key set whose Cache-Control makes the library refresh it every second.
   */
  private static final class StubProvider implements AutoCloseable {
    final io.vertx.core.Promise<Void> release = io.vertx.core.Promise.promise();
    final java.util.concurrent.BlockingQueue<Long> keySetRequests = new java.util.concurrent.LinkedBlockingQueue<>();
    final java.util.concurrent.atomic.AtomicInteger trickledKeySetRequests = new java.util.concurrent.atomic.AtomicInteger();
    final io.vertx.core.http.HttpServer server;
    final String base;
    /** The key set's keys; the test may empty it. */
    volatile io.vertx.core.json.JsonArray keys = new io.vertx.core.json.JsonArray().add(RSA_KEY);

    StubProvider() {
      server = Await.await(vertx.createHttpServer().requestHandler(this::answer).listen(0, "127.0.0.1"));
      base = "http://127.0.0.1:" + server.actualPort();
    }

    private void answer(io.vertx.core.http.HttpServerRequest request) {
      String path = request.path();
      if (path.equals("/trickled-keys") && trickledKeySetRequests.getAndIncrement() >= 0) {
        // The key set comes a byte every 100 ms, for ever: each byte well within any idle timeout.
        request.response().setChunked(true).putHeader("Content-Type", "application/json").write("{\"keys\":[");
        long timer = vertx.setPeriodic(100, id -> request.response().write(" "));
        request.connection().closeHandler(v -> vertx.cancelTimer(timer));
        return;
      }
      if (path.equals("/huge-keys")) {
        request.response().putHeader("Content-Type", "application/json")
            .end(new io.vertx.core.json.JsonObject().put("keys", keys).put("padding", HUGE).encode());
        return;
      }
      if (path.equals("/keys") || path.equals("/trickled-keys")) {
        keySetRequests.add(System.nanoTime());
        request.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "max-age=1")
            .end(new io.vertx.core.json.JsonObject().put("keys", keys).encode());
        return;
      }
      String tenant = path.substring(1, path.indexOf('/', 1));
      io.vertx.core.json.JsonObject doc = new io.vertx.core.json.JsonObject()
          // Entra's multi-tenant authorities ("common", "organizations") name a template, not an issuer.
          // Entra names a GUID tenant's issuer in lower case, whatever case the request's path had.
          .put("issuer", tenant.equals("misnamed") ? base + "/0b1c2d3e-guid"
              : tenant.equals("organizations") ? base + "/{tenantid}"
              : base + "/" + (tenant.matches("[0-9A-Fa-f-]{36}") ? tenant.toLowerCase(java.util.Locale.ROOT) : tenant))
          .put("authorization_endpoint", base + "/" + tenant + "/authorize")
          .put("token_endpoint", base + "/" + tenant + "/token")
          .put("jwks_uri", base + (tenant.equals("trickling") ? "/trickled-keys"
              : tenant.equals("hugekeys") ? "/huge-keys" : "/keys"));
      if (tenant.equals("huge")) {
        doc.put("padding", HUGE);
      }
      Future<Void> when = tenant.equals("slow") ? release.future() : Future.succeededFuture();
      when.onComplete(v -> request.response().putHeader("Content-Type", "application/json").end(doc.encode()));
    }

    @Override
    public void close() {
      release.tryComplete();
      Await.await(server.close());
    }
  }

  /**
   * A customer set up with a multi-tenant authority ("organizations", "common") instead of its own tenant: the
   * discovery document's issuer holds the template "{tenantid}", which is no issuer any token could match (and a
   * token of any tenant must not pass), so the customer's sign-ins are not_configured, not checked against it.
   */
  @Test
  void aMultiTenantAuthorityWhoseIssuerIsATemplateMeansNotConfigured() {
    try (StubProvider stub = new StubProvider()) {
      Providers p = providers(stub.base + "/{tenant}", Duration.ofSeconds(10));
      Throwable t = failure(p.get(customer(40, "organizations", "app", null)));
      assertThat(t).isInstanceOf(SsoException.class);
      assertThat(((SsoException) t).refusal()).isEqualTo(SsoRefusal.NOT_CONFIGURED);
      assertThat(t.getMessage()).contains("names another issuer").contains("{tenantid}");
      p.closeAll();
    }
  }

  /** Padding that makes a document larger than {@link Providers#MAX_DOCUMENT}. */
  static final String HUGE = "x".repeat(Providers.MAX_DOCUMENT + 1);

  /**
   * A discovery document or key set far larger than any provider's (Entra's are about 10 KB), from a provider or
   * whatever answers at its address, is refused as the provider's outage, not read whole into the heap and used.
   */
  @Test
  void anOversizedDiscoveryDocumentOrKeySetIsRefusedAsUnavailable() {
    try (StubProvider stub = new StubProvider()) {
      Providers p = providers(stub.base + "/{tenant}", Duration.ofSeconds(10));
      for (String tenant : new String[] {"huge", "hugekeys"}) {
        Throwable t = failure(p.get(customer(12 + tenant.length(), tenant, "app", null)));
        assertThat(t).as(tenant).isInstanceOf(SsoException.class);
        assertThat(((SsoException) t).refusal()).as(tenant).isEqualTo(SsoRefusal.PROVIDER_UNAVAILABLE);
        assertThat(t.getMessage()).as(tenant).contains("larger than " + Providers.MAX_DOCUMENT + " bytes");
      }
      assertThat(Await.await(p.get(customer(20, "fine", "app", null))).issuer()).isEqualTo(stub.base + "/fine");
      p.closeAll();
    }
  }

  /** A public RSA signing key (the library only loads it). */
  static final io.vertx.core.json.JsonObject RSA_KEY = rsaKey();

  private static io.vertx.core.json.JsonObject rsaKey() {
    try {
      java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      java.security.interfaces.RSAPublicKey k = (java.security.interfaces.RSAPublicKey) g.generateKeyPair().getPublic();
      java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
      return new io.vertx.core.json.JsonObject().put("kty", "RSA").put("use", "sig").put("alg", "RS256").put("kid", "k1")
          .put("n", b64.encodeToString(unsigned(k.getModulus()))).put("e", b64.encodeToString(unsigned(k.getPublicExponent())));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] unsigned(java.math.BigInteger i) {
    byte[] b = i.toByteArray();
    return b[0] == 0 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
  }

  /**
   * A discovery document naming another issuer than the URL it came from (an Entra tenant's domain name where its
   * GUID belongs) is our setting, answered at once: not configured, not the provider's outage.
   */
  @Test
  void aDiscoveryDocumentOfAnotherIssuerMeansNotConfigured() {
    try (StubProvider stub = new StubProvider()) {
      Providers p = providers(stub.base + "/{tenant}", Duration.ofSeconds(10));
      Throwable t = failure(p.get(customer(6, "misnamed", "app", null)));
      assertThat(t).isInstanceOf(SsoException.class);
      assertThat(((SsoException) t).refusal()).isEqualTo(SsoRefusal.NOT_CONFIGURED);
      assertThat(t.getMessage()).contains("another issuer").contains("0b1c2d3e-guid");
      // The stub itself works: a tenant whose document names its own URL is discovered.
      assertThat(Await.await(p.get(customer(7, "fine", "app", null))).issuer()).isEqualTo(stub.base + "/fine");
    }
  }

  /**
   * A tenant GUID written in upper case (as PowerShell and some portals show it): Entra's discovery document names the
   * issuer with the GUID in lower case, which discovery took for another issuer, and every sign-in of the customer was
   * refused as not_configured. The GUID is taken in either case; the ID token's tid was compared ignoring case already.
   */
  @Test
  void aTenantGuidInUpperCaseIsDiscoveredAsEntraNamesIt() {
    try (StubProvider stub = new StubProvider()) {
      Providers p = providers(stub.base + "/{tenant}", Duration.ofSeconds(10));
      SsoCustomer upper = customer(41, "72F988BF-86F1-41AF-91AB-2D7CD011DB47", "app", null);
      assertThat(Await.await(p.get(upper)).issuer()).isEqualTo(stub.base + "/72f988bf-86f1-41af-91ab-2d7cd011db47");
      // A tenant given by name is left as it is.
      assertThat(customer(42, "Contoso.onmicrosoft.com", "app", null).tenantId()).isEqualTo("Contoso.onmicrosoft.com");
      p.closeAll();
    }
  }

  /**
   * A discovery answered after our timeout still makes a provider; the library starts refreshing its key set
   * (every second here, by the key set's Cache-Control) and registers it with Vert.x. It must be closed: without
   * that, every retry while a provider is slow leaves one more provider fetching keys for ever.
   */
  @Test
  void aDiscoveryAnsweredAfterTheTimeoutLeavesNoProviderRunning() throws Exception {
    try (StubProvider stub = new StubProvider()) {
      Providers p = providers(stub.base + "/{tenant}", Duration.ofMillis(300));
      Throwable t = failure(p.get(customer(8, "slow", "app", null)));
      assertThat(((SsoException) t).refusal()).isEqualTo(SsoRefusal.PROVIDER_UNAVAILABLE);
      stub.release.complete();
      // The library would fetch it within a second (max-age=1 less the leeway); wait three.
      assertThat(stub.keySetRequests.poll(3, java.util.concurrent.TimeUnit.SECONDS))
          .as("the key set is not fetched by a provider nobody uses").isNull();
    }
  }

  /**
   * After the library refused an ID token for another reason than an unknown key, the key set is read again: with
   * no signing key in it (a refresh of the library's own emptied it) that is the provider's outage, and the provider
   * is discovered again on the next sign-in, so a key set with keys is picked up; with keys, the refusal stands.
   */
  @Test
  void aKeySetWithoutSigningKeysAfterARefusedTokenIsUnavailableAndTheProviderIsDiscoveredAgain() {
    try (StubProvider stub = new StubProvider()) {
      Providers p = providers(stub.base + "/{tenant}", Duration.ofSeconds(10));
      SsoCustomer c = customer(9, "emptied", "app", null);
      Providers.Provider first = Await.await(p.get(c));
      clock.advance(Duration.ofMillis(Providers.MIN_AGE_FOR_EVICTION_MILLIS));
      Await.await(p.checkKeysAfterRefusal(c.id(), first));
      assertThat(Await.await(p.get(c))).as("keys there: kept").isSameAs(first);
      stub.keys = new io.vertx.core.json.JsonArray().add(new io.vertx.core.json.JsonObject().put("kty", "oct")
          .put("use", "enc").put("kid", "e1").put("k", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"));
      Throwable t = failure(p.checkKeysAfterRefusal(c.id(), first));
      assertThat(t).isInstanceOf(SsoException.class);
      assertThat(((SsoException) t).refusal()).isEqualTo(SsoRefusal.PROVIDER_UNAVAILABLE);
      assertThat(t.getMessage()).contains("holds no signing key");
      stub.keys = new io.vertx.core.json.JsonArray().add(RSA_KEY);
      Providers.Provider again = Await.await(p.get(c));
      assertThat(again).as("discovered again").isNotSameAs(first);
      p.closeAll();
    }
  }

  /**
   * The key set read again after discovery (to see that it holds a signing key) must be bounded in total, not only
   * between two bytes: a provider trickling it would otherwise keep the customer's discovery pending, and every
   * sign-in of the customer waiting on it, for ever.
   */
  @Test
  void aKeySetTrickledAfterDiscoveryFailsInBoundedTimeAsUnavailable() {
    try (StubProvider stub = new StubProvider()) {
      Providers p = providers(stub.base + "/{tenant}", Duration.ofSeconds(2));
      // A first discovery, so the one measured is not slowed by loading classes.
      Await.await(p.get(customer(11, "fine", "app", null)));
      Throwable t = failure(p.get(customer(10, "trickling", "app", null)));
      assertThat(t).isInstanceOf(SsoException.class);
      assertThat(((SsoException) t).refusal()).isEqualTo(SsoRefusal.PROVIDER_UNAVAILABLE);
      assertThat(t.getMessage()).contains("/trickled-keys");
    }
  }

  @Test
  void anUnreachableProviderFailsAsUnavailableAndIsNotAskedAgainAtOnce() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Providers p = providers("http://127.0.0.1:" + closedPort + "/{tenant}", Duration.ofSeconds(2));
    SsoCustomer c = customer(4, "contoso", "app", null);
    Future<Providers.Provider> first = p.get(c);
    Throwable t = failure(first);
    assertThat(((SsoException) t).refusal()).isEqualTo(SsoRefusal.PROVIDER_UNAVAILABLE);
    assertThat(t.getMessage()).contains("discovery at http://127.0.0.1:" + closedPort + "/contoso");
    // Within the retry pause the remembered failure is the answer; after it, discovery runs again.
    assertThat(failure(p.get(c))).isSameAs(t);
    clock.advance(Duration.ofMillis(Providers.RETRY_AFTER_FAILURE_MILLIS));
    assertThat(failure(p.get(c))).isNotSameAs(t);
  }
}
