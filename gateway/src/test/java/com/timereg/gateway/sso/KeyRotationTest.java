package com.timereg.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.timereg.gateway.session.MicrometerSessionMetrics;
import com.timereg.gateway.session.SessionService;
import com.timereg.gateway.session.SessionSettings;
import com.timereg.gateway.session.TokenKeys;
import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Key rotation at the provider: an ID token signed with a key published after the gateway read the provider's keys
 * is checked with the keys read again, within the same callback, so the person signs in. A key the provider never
 * published stays refused. A provider of our own (discovery, key set, token endpoint, signing with keys the test
 * publishes when it likes), the callback as in the gateway, a real database; the clock is moved, not slept on.
 */
@ExtendWith(PostgresExtension.class)
class KeyRotationTest {
  static final String REDIRECT_URI = "https://gateway.example/sso/callback";
  static final String CLIENT = "app";

  static Vertx vertx;
  static Database database;
  static TestDatabase db;
  static HttpServer stub;
  static String base;
  static SessionService sessions;
  static final ManualClock clock = ManualClock.startingNow();

  /** Each tenant's published key set, and the ID token its token endpoint answers with next. */
  static final Map<String, List<RSAKey>> published = new ConcurrentHashMap<>();
  static final Map<String, String> nextIdToken = new ConcurrentHashMap<>();
  /** How often each tenant's key set was read. */
  static final Map<String, Integer> keyReads = new ConcurrentHashMap<>();

  @BeforeAll
  static void start(TestDatabase testDb) {
    db = testDb;
    vertx = Vertx.vertx();
    database = Database.create(vertx, db.databaseSettings());
    stub = Await.await(vertx.createHttpServer().requestHandler(KeyRotationTest::answer).listen(0, "127.0.0.1"));
    base = "http://127.0.0.1:" + stub.actualPort();
    sessions = SessionService.create(vertx, database, SessionSettings.DEFAULTS, TokenKeys.ephemeral("ES256"),
        new MicrometerSessionMetrics(new SimpleMeterRegistry()), clock);
    Await.await(sessions.start());
  }

  @AfterAll
  static void stop() {
    Await.await(sessions.stop());
    Await.await(database.close());
    Await.await(vertx.close());
  }

  private static void answer(HttpServerRequest request) {
    String path = request.path();
    String tenant = path.substring(1, path.indexOf('/', 1));
    if (path.endsWith("/keys")) {
      keyReads.merge(tenant, 1, Integer::sum);
      JsonArray keys = new JsonArray();
      published.get(tenant).forEach(k -> keys.add(new JsonObject(k.toPublicJWK().toJSONObject())));
      request.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("keys", keys).encode());
    } else if (path.endsWith("/token")) {
      request.body().onSuccess(form -> request.response().putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("access_token", "a").put("token_type", "Bearer").put("expires_in", 3600)
              .put("id_token", nextIdToken.get(tenant)).encode()));
    } else {
      request.response().putHeader("Content-Type", "application/json").end(new JsonObject()
          .put("issuer", base + "/" + tenant)
          .put("authorization_endpoint", base + "/" + tenant + "/authorize")
          .put("token_endpoint", base + "/" + tenant + "/token")
          .put("jwks_uri", base + "/" + tenant + "/keys").encode());
    }
  }

  private static RSAKey key(String kid) throws Exception {
    return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
  }

  /** The ID token the tenant's provider issues for the person, signed with {@code key}. */
  private static String idToken(String tenant, RSAKey key, String nonce) throws Exception {
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(base + "/" + tenant)
        .audience(CLIENT)
        .subject("pairwise-" + tenant)
        .claim("oid", "oid-" + tenant)
        .claim("tid", tenant)
        .claim("nonce", nonce)
        .issueTime(Date.from(clock.instant()))
        .expirationTime(Date.from(clock.instant().plus(Duration.ofHours(1))))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  /** A customer on the tenant, a public client, and its person's account, linked to their oid. */
  private static void customer(String tenant) throws Exception {
    try (Connection c = db.openJdbc()) {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO customers (slug, name, sso_mode, entra_tenant_id, "
          + "sso_client_id) VALUES (?, ?, 'optional', ?, ?)")) {
        s.setString(1, tenant);
        s.setString(2, tenant);
        s.setString(3, tenant);
        s.setString(4, CLIENT);
        s.execute();
      }
      try (PreparedStatement s = c.prepareStatement("INSERT INTO users (customer_id, login_name, email, sso_subject) "
          + "SELECT id, ?, ?, ? FROM customers WHERE slug = ?")) {
        s.setString(1, "person@" + tenant + ".example");
        s.setString(2, "person@" + tenant + ".example");
        s.setString(3, "oid-" + tenant);
        s.setString(4, tenant);
        s.execute();
      }
    }
  }

  private static SsoSettings settings() {
    SsoSettings d = SsoSettings.DEFAULTS;
    return new SsoSettings(base + "/{tenant}", Optional.of(URI.create("https://gateway.example")), true,
        Duration.ofSeconds(10), Duration.ofSeconds(10), d.requestLifetime(), d.clockSkew(), d.providerRefresh(),
        d.maxStartsPerAddressPerMinute());
  }

  private static SignInCallback callback(Providers providers) {
    SsoSettings settings = settings();
    SsoDirectory directory = new SsoDirectory(database.pool());
    SsoService.Outcomes outcomes = new SsoService.Outcomes(new SsoAudit(database.pool(), "node-1", clock),
        SsoMetrics.NONE, client -> {}, (client, name) -> {});
    return new SignInCallback(settings, directory, new SsoRequests(database.pool()), providers,
        new AccountMatcher(directory), sessions, outcomes, () -> Optional.of(REDIRECT_URI), clock);
  }

  private static Providers providers() {
    return new Providers(vertx, settings(), new SecretReferences(vertx, Map.<String, String>of()::get,
            com.timereg.gateway.tls.KeyFileMode::secretFileRefusal), clock);
  }

  /** A sign-in of the tenant's person whose ID token is signed with {@code key}: the callback's result. */
  private static SsoService.CallbackResult signIn(SignInCallback callback, String tenant, RSAKey key)
      throws Exception {
    String state = Randoms.token();
    String binding = Randoms.token();
    String nonce = Randoms.token();
    long customerId;
    try (Connection c = db.openJdbc();
        PreparedStatement s = c.prepareStatement("SELECT id FROM customers WHERE slug = ?")) {
      s.setString(1, tenant);
      var r = s.executeQuery();
      r.next();
      customerId = r.getLong(1);
    }
    java.time.Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    assertThat(Await.await(new SsoRequests(database.pool()).saveWithin(Long.MAX_VALUE, Randoms.sha256(state),
        new PendingSignIn(Randoms.sha256(binding), customerId, nonce, Randoms.token(), "person@" + tenant + ".example",
            "/", now, now.plus(Duration.ofMinutes(10)))))).isTrue();
    nextIdToken.put(tenant, idToken(tenant, key, nonce));
    return Await.await(callback.complete(InetAddress.getLoopbackAddress(),
        new SsoService.CallbackParams(state, "the-code", null, null), binding));
  }

  @Test
  void aTokenSignedWithAKeyPublishedSinceTheKeysWereReadSignsInWithTheKeysReadAgain() throws Exception {
    String tenant = "rotating";
    customer(tenant);
    RSAKey old = key("old");
    RSAKey next = key("next");
    published.put(tenant, List.of(old));
    SignInCallback callback = callback(providers());
    assertThat(signIn(callback, tenant, old)).isInstanceOf(SsoService.CallbackResult.Success.class);
    assertThat(keyReads.get(tenant)).isEqualTo(1);

    // Later the provider publishes a new key and signs with it at once (an emergency rollover).
    clock.advance(Duration.ofMinutes(5));
    published.put(tenant, List.of(old, next));
    SsoService.CallbackResult result = signIn(callback, tenant, next);
    assertThat(result).as("the first sign-in signed with the new key").isInstanceOf(SsoService.CallbackResult.Success.class);
    assertThat(keyReads.get(tenant)).isEqualTo(2);
    assertThat(signIn(callback, tenant, next)).isInstanceOf(SsoService.CallbackResult.Success.class);
    assertThat(keyReads.get(tenant)).as("the keys are not read again once known").isEqualTo(2);
  }

  @Test
  void aTokenSignedWithAKeyTheProviderNeverPublishedIsRefusedAfterTheKeysWereReadAgain() throws Exception {
    String tenant = "forged";
    customer(tenant);
    RSAKey published1 = key("published");
    published.put(tenant, List.of(published1));
    SignInCallback callback = callback(providers());
    assertThat(signIn(callback, tenant, published1)).isInstanceOf(SsoService.CallbackResult.Success.class);

    clock.advance(Duration.ofMinutes(5));
    SsoService.CallbackResult result = signIn(callback, tenant, key("never-published"));
    assertThat(result).isEqualTo(new SsoService.CallbackResult.Refused(SsoRefusal.TOKEN_INVALID));
    assertThat(keyReads.get(tenant)).as("read once more for the unknown key, and no more").isEqualTo(2);
    // Within a minute of that reading, an unknown key sends for no keys again (a storm of them asks nothing).
    assertThat(signIn(callback, tenant, key("another"))).isEqualTo(new SsoService.CallbackResult.Refused(SsoRefusal.TOKEN_INVALID));
    assertThat(keyReads.get(tenant)).isEqualTo(2);
  }
}
