package com.timereg.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.demo.DemoBackend;
import com.timereg.gateway.edge.Gateway;
import com.timereg.gateway.edge.TestGateways;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.session.SessionCookies;
import com.timereg.gateway.sso.Browser.Response;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;

/**
 * The world of {@link SsoLoginTest}: a real gateway (TLS, PostgreSQL, the demo backend behind it)
 * and a real OpenID Connect provider (mock-oauth2-server: discovery, keys, authorize, token),
 * customers in every mode, and the steps a browser takes between the two. The provider's issuers
 * stand in for tenants.
 */
final class SsoTestBed {
  static final String OPT_TENANT = "tenant-optional";
  static final String REQ_TENANT = "tenant-required";
  static final String AUTO_TENANT = "tenant-auto";
  static final String NO_KEYS_TENANT = "tenant-nokeys";
  static final String BROKEN_KEYS_TENANT = "tenant-brokenkeys";
  static final String EMPTIED_KEYS_TENANT = "tenant-emptiedkeys";
  static final String OPT_CLIENT = "client-optional";
  static final String REQ_CLIENT = "client-required";
  static final String AUTO_CLIENT = "client-auto";
  static final String PASSWORD = "Correct-Horse-Battery-2026";

  static MockOAuth2Server provider;
  /** Token endpoint answers queued for the provider's next token requests. */
  static TokenAnswers tokenAnswers;
  /** Key set answers for tenants whose provider publishes no usable keys. */
  static KeySets keySets;
  static Vertx backendVertx;
  static Gateway gateway;
  static TestDatabase database;
  static Vertx clientVertx;

  private SsoTestBed() {}

  /** Provider, backend, seeded customers and users, then the gateway. */
  static void start(TestDatabase db, Path dir) throws Exception {
    start(db, dir, java.time.Clock.systemUTC());
  }

  /** {@link #start(TestDatabase, Path)}, with the gateway's throttle counting by {@code throttleClock}. */
  static void start(TestDatabase db, Path dir, java.time.Clock throttleClock) throws Exception {
    start(db, dir, throttleClock, Map.of());
  }

  /** {@link #start(TestDatabase, Path, java.time.Clock)}, with more of the gateway's environment (settings). */
  static void start(TestDatabase db, Path dir, java.time.Clock throttleClock, Map<String, String> moreEnv)
      throws Exception {
    database = db;
    tokenAnswers = new TokenAnswers();
    keySets = new KeySets();
    provider = new MockOAuth2Server(tokenAnswers, keySets);
    provider.start();
    backendVertx = Vertx.vertx();
    int backendPort = Await.await(new DemoBackend(backendVertx, DemoBackend.Options.DEFAULTS).start("127.0.0.1", 0));
    Path secretFile = dir.resolve("optional-client-secret");
    Files.writeString(secretFile, "optional-secret\n");
    seed(db, secretFile);
    Map<String, String> env = new HashMap<>();
    env.put("GATEWAY_SSO__AUTHORITY_TEMPLATE", provider.url("/").toString() + "{tenant}");
    env.put("GATEWAY_BACKEND__URL", "http://127.0.0.1:" + backendPort);
    env.put("GATEWAY_PASSWORD__ITERATIONS", "1000");
    // The provider makes each tenant's signing key on first use, slow on a busy machine; these
    // tests are not about timeouts (ProvidersTest is).
    env.put("GATEWAY_SSO__DISCOVERY_TIMEOUT", "60s");
    env.put("GATEWAY_SSO__TOKEN_TIMEOUT", "60s");
    // Refusals are counted on 127.0.0.1; this class refuses often enough to be blocked otherwise.
    env.put("GATEWAY_THROTTLE__IP_FAILURE_LIMIT", "100000");
    env.put("GATEWAY_THROTTLE__RANGE_FAILURE_LIMIT", "100000");
    env.put("GATEWAY_THROTTLE__SURGE_FAILURES_PER_MINUTE", "100000");
    env.put("GATEWAY_THROTTLE__ACCOUNT_FREE_FAILURES", "100");
    // The required customer's secret is an env: reference, resolved in the gateway's environment.
    env.put("REQUIRED_SSO_SECRET", "required-secret");
    env.putAll(moreEnv);
    gateway = TestGateways.start(TestGateways.config(dir, db, env), throttleClock);
    clientVertx = Vertx.vertx();
  }

  /** Customers in every mode (and two set up wrongly), each with its own tenant (issuer) and client, and their users. */
  static void seed(TestDatabase db, Path secretFile) throws Exception {
    String hash = new DjangoPbkdf2Hasher(1000).hash(PASSWORD);
    try (Connection c = db.openJdbc()) {
      customer(c, "optco", "optional", OPT_TENANT, OPT_CLIENT, "file:" + secretFile, "{optco.example}", false);
      customer(c, "reqco", "required", REQ_TENANT, REQ_CLIENT, "env:REQUIRED_SSO_SECRET", "{reqco.example}", false);
      customer(c, "autoco", "optional", AUTO_TENANT, AUTO_CLIENT, null, "{autoco.example}", true);
      customer(c, "pwco", "disabled", null, null, null, "{}", false);
      customer(c, "halfco", "optional", null, null, null, "{}", false);
      customer(c, "lostco", "required", "tenant-lost", "client-lost", "env:NOT_SET_ANYWHERE", "{}", false);
      customer(c, "nokeysco", "optional", NO_KEYS_TENANT, "client-nokeys", null, "{}", false);
      customer(c, "brokenkeysco", "optional", BROKEN_KEYS_TENANT, "client-brokenkeys", null, "{}", false);
      customer(c, "emptiedkeysco", "optional", EMPTIED_KEYS_TENANT, "client-emptiedkeys", null, "{}", false);
      user(c, "optco", "olivia@optco.example", "olivia@optco.example", hash, "oid-olivia");
      user(c, "optco", "oscar", "Oscar@OptCo.example", null, null);
      user(c, "optco", "otto@optco.example", "otto@optco.example", null, null);
      user(c, "reqco", "rita@reqco.example", "rita@reqco.example", hash, "oid-rita");
      user(c, "pwco", "paul@pwco.example", "paul@pwco.example", hash, null);
      user(c, "halfco", "hanna@halfco.example", "hanna@halfco.example", hash, null);
      user(c, "lostco", "lars@lostco.example", "lars@lostco.example", hash, "oid-lars");
      user(c, "nokeysco", "nina@nokeysco.example", "nina@nokeysco.example", hash, "oid-nina");
      user(c, "brokenkeysco", "bruno@brokenkeysco.example", "bruno@brokenkeysco.example", hash, "oid-bruno");
      user(c, "emptiedkeysco", "emma@emptiedkeysco.example", "emma@emptiedkeysco.example", hash, "oid-emma");
    }
  }

  private static void customer(Connection c, String slug, String mode, String tenant, String client, String secret,
      String domains, boolean autoCreate) throws Exception {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO customers (slug, name, sso_mode, entra_tenant_id, "
        + "sso_client_id, sso_client_secret_ref, sso_allowed_email_domains, sso_auto_create) "
        + "VALUES (?, ?, ?, ?, ?, ?, ?::text[], ?)")) {
      s.setString(1, slug);
      s.setString(2, slug);
      s.setString(3, mode);
      s.setString(4, tenant);
      s.setString(5, client);
      s.setString(6, secret);
      s.setString(7, domains);
      s.setBoolean(8, autoCreate);
      s.execute();
    }
  }

  private static void user(Connection c, String customer, String login, String email, String hash, String subject)
      throws Exception {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO users (customer_id, login_name, email, password_hash, "
        + "sso_subject) SELECT id, ?, ?, ?, ? FROM customers WHERE slug = ?")) {
      s.setString(1, login);
      s.setString(2, email);
      s.setString(3, hash);
      s.setString(4, subject);
      s.setString(5, customer);
      s.execute();
    }
  }

  static void stop() {
    if (gateway != null) {
      gateway.stop();
    }
    if (provider != null) {
      provider.shutdown();
    }
    if (backendVertx != null) {
      Await.await(backendVertx.close());
    }
    if (clientVertx != null) {
      Await.await(clientVertx.close());
    }
  }


  /** The provider's token callback: who signed in, in which tenant (the mock's issuer id), with which extra claims. */
  static DefaultOAuth2TokenCallback identity(String tenant, String oid, Map<String, Object> claims) {
    Map<String, Object> all = new HashMap<>();
    all.put("oid", oid);
    all.putAll(claims);
    return new DefaultOAuth2TokenCallback(tenant, "pairwise-" + oid, "JWT", List.of("ignored"), all, 3600);
  }

  static Response passwordLogin(Browser browser, String loginName) {
    return browser.postForm("/login", Map.of("csrf", browser.csrfToken(), "username", loginName,
        "password", PASSWORD, "next", "/"));
  }

  /** Starts at the gateway, goes through the provider, and returns the gateway's answer to the callback. */
  static Response signIn(Browser b, String loginName, String next) {
    Response start = b.get("/sso/start?login=" + enc(loginName) + "&next=" + enc(next));
    assertThat(start.status()).as("start: %s", start.body()).isEqualTo(303);
    return b.get(authorize(start.location()));
  }

  /**
   * The provider's authorize endpoint: without an interactive login page configured, it issues a
   * code at once and redirects to our callback. Returns that callback URL.
   */
  static String authorize(String providerUrl) {
    Browser atProvider = new Browser(clientVertx, gateway.publicPort());
    try {
      Response r = atProvider.get(providerUrl);
      assertThat(r.status()).as("authorize: %s", r.body()).isEqualTo(302);
      assertThat(r.location()).startsWith("https://localhost:" + gateway.publicPort() + "/sso/callback?");
      return r.location();
    } finally {
      atProvider.close();
    }
  }

  static void assertRefusedWithoutSession(Response r, int status, SsoRefusal refusal) {
    assertThat(r.status()).as("body: %s", r.body()).isEqualTo(status);
    assertThat(r.sets(SessionCookies.ACCESS)).isFalse();
    assertThat(r.sets(SessionCookies.REFRESH)).isFalse();
    assertThat(r.body()).contains("Not signed in").contains(escape(refusal.message()));
  }

  static String escape(String s) {
    return com.timereg.gateway.login.Html.escape(s);
  }

  static String enc(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  static String subjectOf(String loginName) throws Exception {
    try (Connection c = database.openJdbc();
        PreparedStatement s = c.prepareStatement("SELECT sso_subject FROM users WHERE lower(login_name) = lower(?)")) {
      s.setString(1, loginName);
      ResultSet r = s.executeQuery();
      assertThat(r.next()).isTrue();
      return r.getString(1);
    }
  }

  static List<String> auditActions(String actor) throws Exception {
    try (Connection c = database.openJdbc();
        PreparedStatement s = c.prepareStatement("SELECT action FROM audit_events WHERE actor = ?")) {
      s.setString(1, actor);
      ResultSet r = s.executeQuery();
      List<String> out = new java.util.ArrayList<>();
      while (r.next()) {
        out.add(r.getString(1));
      }
      return out;
    }
  }

  static double ssoOutcome(String outcome) {
    return metric("gateway_sso_logins_total", "outcome", outcome);
  }

  /** One counter from the admin listener's Prometheus page. */
  static double metric(String name, String label, String value) {
    Browser admin = new Browser(clientVertx, gateway.publicPort());
    try {
      String text = admin.get("http://127.0.0.1:" + gateway.adminPort() + "/metrics").body();
      Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*" + label + "=\"" + value + "\"[^}]*\\} (\\S+)$").matcher(text);
      assertThat(m.find()).as("%s{%s=%s} in the metrics", name, label, value).isTrue();
      return Double.parseDouble(m.group(1));
    } finally {
      admin.close();
    }
  }
}
