package com.timereg.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.demo.DemoBackend;
import com.timereg.gateway.edge.Gateway;
import com.timereg.gateway.edge.TestGateways;
import com.timereg.gateway.login.LoginRoutes;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.session.SessionCookies;
import com.timereg.gateway.sso.Browser.Response;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Microsoft sign-in end to end: a real gateway (TLS, PostgreSQL, the demo backend behind it) and a
 * real OpenID Connect provider (mock-oauth2-server: discovery, keys, authorize, token), driven by
 * an HTTP client that follows every redirect by hand. The provider's issuers stand in for tenants.
 */
@ExtendWith(PostgresExtension.class)
class SsoLoginTest {
  static final String OPT_TENANT = "tenant-optional";
  static final String REQ_TENANT = "tenant-required";
  static final String AUTO_TENANT = "tenant-auto";
  static final String OPT_CLIENT = "client-optional";
  static final String REQ_CLIENT = "client-required";
  static final String AUTO_CLIENT = "client-auto";
  static final String PASSWORD = "Correct-Horse-Battery-2026";

  @TempDir static Path dir;
  static MockOAuth2Server provider;
  static Vertx backendVertx;
  static Gateway gateway;
  static TestDatabase database;
  static Vertx clientVertx;

  Browser browser;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    database = db;
    provider = new MockOAuth2Server();
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
    gateway = Gateway.start(TestGateways.config(dir, db, env));
    clientVertx = Vertx.vertx();
  }

  /** Three customers, one per mode of interest, each with its own tenant (issuer) and client. */
  static void seed(TestDatabase db, Path secretFile) throws Exception {
    String hash = new DjangoPbkdf2Hasher(1000).hash(PASSWORD);
    try (Connection c = db.openJdbc()) {
      customer(c, "optco", "optional", OPT_TENANT, OPT_CLIENT, "file:" + secretFile, "{optco.example}", false);
      customer(c, "reqco", "required", REQ_TENANT, REQ_CLIENT, "env:REQUIRED_SSO_SECRET", "{reqco.example}", false);
      customer(c, "autoco", "optional", AUTO_TENANT, AUTO_CLIENT, null, "{autoco.example}", true);
      customer(c, "pwco", "disabled", null, null, null, "{}", false);
      customer(c, "halfco", "optional", null, null, null, "{}", false);
      customer(c, "lostco", "required", "tenant-lost", "client-lost", "env:NOT_SET_ANYWHERE", "{}", false);
      user(c, "optco", "olivia@optco.example", "olivia@optco.example", hash, "oid-olivia");
      user(c, "optco", "oscar", "Oscar@OptCo.example", null, null);
      user(c, "optco", "otto@optco.example", "otto@optco.example", null, null);
      user(c, "reqco", "rita@reqco.example", "rita@reqco.example", hash, "oid-rita");
      user(c, "pwco", "paul@pwco.example", "paul@pwco.example", hash, null);
      user(c, "halfco", "hanna@halfco.example", "hanna@halfco.example", hash, null);
      user(c, "lostco", "lars@lostco.example", "lars@lostco.example", hash, "oid-lars");
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

  @AfterAll
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

  @BeforeEach
  void openBrowser() {
    browser = new Browser(clientVertx, gateway.publicPort());
  }

  @AfterEach
  void closeBrowser() {
    browser.close();
  }

  // ---- the flows ----

  @Test
  void optionalModeAcceptsBothPasswordAndMicrosoftSignIn() {
    Response password = passwordLogin("olivia@optco.example");
    assertThat(password.status()).isEqualTo(303);
    assertThat(password.sets(SessionCookies.ACCESS)).isTrue();

    Browser second = new Browser(clientVertx, gateway.publicPort());
    try {
      provider.enqueueCallback(identity(OPT_TENANT, "oid-olivia", Map.of("email", "olivia@optco.example")));
      Response landed = signIn(second, "olivia@optco.example", "/api/me");
      assertThat(landed.status()).isEqualTo(303);
      assertThat(landed.location()).isEqualTo("/api/me");
      assertThat(landed.sets(SessionCookies.ACCESS)).isTrue();
      assertThat(landed.sets(SessionCookies.REFRESH)).isTrue();
      JsonObject me = new JsonObject(second.get("/api/me").body());
      assertThat(me.getString("user")).isEqualTo("olivia@optco.example");
      assertThat(me.getString("customer")).isEqualTo("optco");
      assertThat(me.getString("method")).isEqualTo("sso");
    } finally {
      second.close();
    }
  }

  @Test
  void requiredModeRefusesAPasswordWithALinkToMicrosoftAndCountsIt() {
    double before = metric("gateway_throttle_invalid_logins_total", "kind", "sso_required");
    Response refused = passwordLogin("rita@reqco.example");
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.sets(SessionCookies.ACCESS)).isFalse();
    assertThat(refused.body()).contains(escape(LoginRoutes.SSO_MESSAGE));
    assertThat(refused.body()).contains("href=\"/sso/start?login=rita%40reqco.example&amp;next=%2F\"");
    assertThat(metric("gateway_throttle_invalid_logins_total", "kind", "sso_required")).isEqualTo(before + 1);
  }

  @Test
  void requiredModeGoesStraightToMicrosoftAndSignsIn() {
    provider.enqueueCallback(identity(REQ_TENANT, "oid-rita", Map.of()));
    // The login form's "Sign in with Microsoft" button: home-realm discovery sends a required
    // customer's user to the provider at once.
    Response identified = browser.postForm("/login/identify",
        Map.of("csrf", browser.csrfToken(), "username", "rita@reqco.example", "next", "/api/me"));
    assertThat(identified.status()).isEqualTo(303);
    assertThat(identified.location()).startsWith(provider.issuerUrl(REQ_TENANT).toString() + "/authorize?");
    assertThat(Browser.queryParam(identified.location(), "code_challenge_method")).isEqualTo("S256");
    assertThat(Browser.queryParam(identified.location(), "client_id")).isEqualTo(REQ_CLIENT);
    Response landed = browser.get(authorize(identified.location()));
    assertThat(landed.status()).isEqualTo(303);
    assertThat(new JsonObject(browser.get("/api/me").body()).getString("method")).isEqualTo("sso");
  }

  @Test
  void linkOnTheRefusedPasswordPageStartsMicrosoftSignIn() {
    Response refused = passwordLogin("rita@reqco.example");
    Matcher link = Pattern.compile("href=\"(/sso/start[^\"]+)\"").matcher(refused.body());
    assertThat(link.find()).isTrue();
    Response start = browser.get(link.group(1).replace("&amp;", "&"));
    assertThat(start.status()).isEqualTo(303);
    assertThat(start.location()).startsWith(provider.issuerUrl(REQ_TENANT).toString());
  }

  @Test
  void firstSignInLinksTheAccountWithTheSameVerifiedAddressInAnAllowedDomain() throws Exception {
    provider.enqueueCallback(identity(OPT_TENANT, "oid-oscar", Map.of("email", "oscar@optco.example",
        "email_verified", true)));
    Response landed = signIn(browser, "oscar", "/");
    assertThat(landed.status()).isEqualTo(303);
    assertThat(landed.sets(SessionCookies.ACCESS)).isTrue();
    assertThat(subjectOf("oscar")).isEqualTo("oid-oscar");
    assertThat(auditActions("oscar")).contains("sso-login");
  }

  @Test
  void firstSignInWithAnAddressOutsideTheAllowedDomainsIsRefused() throws Exception {
    double before = ssoOutcome("domain_not_allowed");
    provider.enqueueCallback(identity(OPT_TENANT, "oid-stranger", Map.of("email", "otto@elsewhere.example")));
    Response refused = signIn(browser, "otto@optco.example", "/");
    assertRefusedWithoutSession(refused, 403, SsoRefusal.DOMAIN_NOT_ALLOWED);
    assertThat(ssoOutcome("domain_not_allowed")).isEqualTo(before + 1);
    assertThat(subjectOf("otto@optco.example")).isNull();
  }

  @Test
  void anAddressTheProviderCallsUnverifiedLinksNothing() throws Exception {
    provider.enqueueCallback(identity(OPT_TENANT, "oid-otto", Map.of("email", "otto@optco.example",
        "email_verified", false)));
    assertRefusedWithoutSession(signIn(browser, "otto@optco.example", "/"), 403, SsoRefusal.EMAIL_NOT_VERIFIED);
    assertThat(subjectOf("otto@optco.example")).isNull();
  }

  @Test
  void aCustomerThatAsksForItGetsAccountsCreatedOnFirstSignIn() throws Exception {
    provider.enqueueCallback(identity(AUTO_TENANT, "oid-newcomer", Map.of("email", "Newcomer@AutoCo.example")));
    // Nobody has this name yet: the domain tells which customer it belongs to.
    Response landed = signIn(browser, "newcomer@autoco.example", "/api/me");
    assertThat(landed.status()).isEqualTo(303);
    assertThat(new JsonObject(browser.get("/api/me").body()).getString("user")).isEqualTo("newcomer@autoco.example");
    assertThat(subjectOf("newcomer@autoco.example")).isEqualTo("oid-newcomer");
  }

  @Test
  void withoutAutomaticCreationAnUnknownPersonGetsNoAccount() {
    provider.enqueueCallback(identity(OPT_TENANT, "oid-nobody", Map.of("email", "nobody@optco.example")));
    assertRefusedWithoutSession(signIn(browser, "olivia@optco.example", "/"), 403, SsoRefusal.NO_ACCOUNT);
  }

  // ---- ID token checks ----

  @Test
  void tokenFromAnotherIssuerIsRefused() {
    double before = ssoOutcome("wrong_issuer");
    provider.enqueueCallback(identity(OPT_TENANT, "oid-olivia",
        Map.of("iss", provider.issuerUrl("someone-else").toString())));
    assertRefusedWithoutSession(signIn(browser, "olivia@optco.example", "/"), 401, SsoRefusal.WRONG_ISSUER);
    assertThat(ssoOutcome("wrong_issuer")).isEqualTo(before + 1);
  }

  @Test
  void tokenForAnotherAudienceIsRefused() {
    double before = ssoOutcome("wrong_audience");
    provider.enqueueCallback(identity(OPT_TENANT, "oid-olivia", Map.of("aud", "some-other-application")));
    assertRefusedWithoutSession(signIn(browser, "olivia@optco.example", "/"), 401, SsoRefusal.WRONG_AUDIENCE);
    assertThat(ssoOutcome("wrong_audience")).isEqualTo(before + 1);
  }

  @Test
  void tokenFromAnotherTenantIsRefused() {
    double before = ssoOutcome("wrong_tenant");
    provider.enqueueCallback(identity(OPT_TENANT, "oid-olivia", Map.of("tid", "a-different-tenant")));
    assertRefusedWithoutSession(signIn(browser, "olivia@optco.example", "/"), 401, SsoRefusal.WRONG_TENANT);
    assertThat(ssoOutcome("wrong_tenant")).isEqualTo(before + 1);
  }

  @Test
  void expiredTokenIsRefused() {
    double before = ssoOutcome("token_expired");
    long hourAgo = Instant.now().minusSeconds(3600).getEpochSecond();
    provider.enqueueCallback(identity(OPT_TENANT, "oid-olivia", Map.of("exp", hourAgo, "iat", hourAgo - 600,
        "nbf", hourAgo - 600)));
    assertRefusedWithoutSession(signIn(browser, "olivia@optco.example", "/"), 401, SsoRefusal.TOKEN_EXPIRED);
    assertThat(ssoOutcome("token_expired")).isEqualTo(before + 1);
  }

  @Test
  void tokenCarryingTheNonceOfAnEarlierSignInIsRefused() {
    provider.enqueueCallback(identity(OPT_TENANT, "oid-olivia", Map.of()));
    Response first = browser.get("/sso/start?login=olivia%40optco.example&next=%2F");
    String earlierNonce = Browser.queryParam(first.location(), "nonce");
    assertThat(browser.get(authorize(first.location())).sets(SessionCookies.ACCESS)).isTrue();

    double before = ssoOutcome("nonce_mismatch");
    Browser other = new Browser(clientVertx, gateway.publicPort());
    try {
      provider.enqueueCallback(identity(OPT_TENANT, "oid-olivia", Map.of("nonce", earlierNonce)));
      assertRefusedWithoutSession(signIn(other, "olivia@optco.example", "/"), 401, SsoRefusal.NONCE_MISMATCH);
      assertThat(ssoOutcome("nonce_mismatch")).isEqualTo(before + 1);
    } finally {
      other.close();
    }
  }

  @Test
  void codeExchangeWithAVerifierOtherThanTheChallengedOneIsRefused() throws Exception {
    double before = ssoOutcome("code_rejected");
    // A name only this test types, to find its pending sign-in; the name's case does not matter.
    Response start = browser.get("/sso/start?login=OLIVIA%40optco.example&next=%2F");
    try (Connection c = database.openJdbc(); PreparedStatement s = c.prepareStatement(
        "UPDATE sso_requests SET code_verifier = ? WHERE login_hint = 'OLIVIA@optco.example'")) {
      s.setString(1, Randoms.token());
      assertThat(s.executeUpdate()).isEqualTo(1);
    }
    // The provider checks the verifier against the S256 challenge it was given (RFC 7636).
    assertRefusedWithoutSession(browser.get(authorize(start.location())), 401, SsoRefusal.CODE_REJECTED);
    assertThat(ssoOutcome("code_rejected")).isEqualTo(before + 1);
  }

  // ---- state ----

  @Test
  void callbackWithAStateThisGatewayNeverIssuedIsRefused() {
    Response start = browser.get("/sso/start?login=olivia%40optco.example&next=%2F");
    String callback = authorize(start.location());
    String forged = Browser.withQueryParam(callback, "state", Randoms.token());
    assertRefusedWithoutSession(browser.get(forged), 400, SsoRefusal.INVALID_STATE);
  }

  @Test
  void callbackReplayedAfterASuccessfulSignInIsRefused() {
    provider.enqueueCallback(identity(OPT_TENANT, "oid-olivia", Map.of()));
    Response start = browser.get("/sso/start?login=olivia%40optco.example&next=%2F");
    String callback = authorize(start.location());
    assertThat(browser.get(callback).sets(SessionCookies.ACCESS)).isTrue();
    assertRefusedWithoutSession(browser.get(callback), 400, SsoRefusal.INVALID_STATE);
  }

  @Test
  void callbackInABrowserOtherThanTheOneThatStartedIsRefused() {
    Response start = browser.get("/sso/start?login=olivia%40optco.example&next=%2F");
    String callback = authorize(start.location());
    Browser victim = new Browser(clientVertx, gateway.publicPort());
    Browser alsoSigningIn = new Browser(clientVertx, gateway.publicPort());
    try {
      // Login CSRF: the attacker's code and state opened in someone else's browser, which has no
      // sign-in cookie, or one of its own sign-in.
      assertRefusedWithoutSession(victim.get(callback), 400, SsoRefusal.INVALID_STATE);
      alsoSigningIn.get("/sso/start?login=olivia%40optco.example&next=%2F");
      assertThat(alsoSigningIn.cookie(SsoRoutes.BINDING_COOKIE)).isNotNull();
      assertRefusedWithoutSession(alsoSigningIn.get(callback), 400, SsoRefusal.INVALID_STATE);
    } finally {
      victim.close();
      alsoSigningIn.close();
    }
  }

  @Test
  void providerErrorEndsOnAClearPage() {
    Response start = browser.get("/sso/start?login=olivia%40optco.example&next=%2F");
    String state = Browser.queryParam(start.location(), "state");
    Response back = browser.get("/sso/callback?error=access_denied&error_description=cancelled&state=" + state);
    assertRefusedWithoutSession(back, 401, SsoRefusal.PROVIDER_ERROR);
  }

  @Test
  void customerWithoutTenantOrWithAnUnreadableSecretGetsAClearNotSetUpPage() {
    for (String name : List.of("hanna@halfco.example", "lars@lostco.example")) {
      Response r = browser.get("/sso/start?login=" + enc(name) + "&next=%2F");
      assertRefusedWithoutSession(r, 503, SsoRefusal.NOT_CONFIGURED);
      assertThat(r.headers().get("Retry-After")).isNotNull();
      assertThat(r.sets(SsoRoutes.BINDING_COOKIE)).isFalse();
    }
  }

  // ---- home-realm discovery ----

  @Test
  void unknownNamesAndPasswordUsersGetTheSamePasswordForm() {
    Response unknown = browser.postForm("/login/identify",
        Map.of("csrf", browser.csrfToken(), "username", "nobody@nowhere.example", "next", "/"));
    Response passwordUser = browser.postForm("/login/identify",
        Map.of("csrf", browser.csrfToken(), "username", "paul@pwco.example", "next", "/"));
    assertThat(unknown.status()).isEqualTo(passwordUser.status()).isEqualTo(200);
    assertThat(unknown.body()).contains(SsoRoutes.NOT_AVAILABLE_INFO).contains("type=\"password\"");
    assertThat(unknown.body().replace("nobody@nowhere.example", "NAME"))
        .isEqualTo(passwordUser.body().replace("paul@pwco.example", "NAME"));
  }

  @Test
  void identifyRefusesAFormWithoutItsCsrfToken() {
    Response r = browser.postForm("/login/identify", Map.of("username", "rita@reqco.example", "next", "/"));
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.location()).isNull();
  }

  @Test
  void nextIsKeptAcrossTheSignInButOnlyAsALocalPath() {
    provider.enqueueCallback(identity(OPT_TENANT, "oid-olivia", Map.of()));
    Response landed = signIn(browser, "olivia@optco.example", "https://evil.example/");
    assertThat(landed.location()).isEqualTo("/");
  }

  @Test
  void signInAndRefusalAreInTheAuditTrail() throws Exception {
    provider.enqueueCallback(identity(REQ_TENANT, "oid-rita", Map.of()));
    assertThat(signIn(browser, "rita@reqco.example", "/").status()).isEqualTo(303);
    provider.enqueueCallback(identity(REQ_TENANT, "oid-rita", Map.of("tid", "another")));
    signIn(browser, "rita@reqco.example", "/");
    try (Connection c = database.openJdbc(); PreparedStatement s = c.prepareStatement(
        "SELECT action, actor, host(subject), details->>'reason' FROM audit_events WHERE action LIKE 'sso-%' "
            + "AND (actor = 'rita@reqco.example' OR details->>'login_hint' = 'rita@reqco.example') ORDER BY id DESC LIMIT 2")) {
      ResultSet r = s.executeQuery();
      assertThat(r.next()).isTrue();
      assertThat(r.getString(1)).isEqualTo("sso-refused");
      assertThat(r.getString(4)).isEqualTo("wrong_tenant");
      assertThat(r.getString(3)).isEqualTo("127.0.0.1");
      assertThat(r.next()).isTrue();
      assertThat(r.getString(1)).isEqualTo("sso-login");
      assertThat(r.getString(2)).isEqualTo("rita@reqco.example");
    }
  }

  // ---- helpers ----

  /** The provider's token callback: who signed in, in which tenant (the mock's issuer id), with which extra claims. */
  private static DefaultOAuth2TokenCallback identity(String tenant, String oid, Map<String, Object> claims) {
    Map<String, Object> all = new HashMap<>();
    all.put("oid", oid);
    all.putAll(claims);
    return new DefaultOAuth2TokenCallback(tenant, "pairwise-" + oid, "JWT", List.of("ignored"), all, 3600);
  }

  private Response passwordLogin(String loginName) {
    return browser.postForm("/login", Map.of("csrf", browser.csrfToken(), "username", loginName,
        "password", PASSWORD, "next", "/"));
  }

  /** Starts at the gateway, goes through the provider, and returns the gateway's answer to the callback. */
  private static Response signIn(Browser b, String loginName, String next) {
    Response start = b.get("/sso/start?login=" + enc(loginName) + "&next=" + enc(next));
    assertThat(start.status()).as("start: %s", start.body()).isEqualTo(303);
    return b.get(authorize(start.location()));
  }

  /**
   * The provider's authorize endpoint: without an interactive login page configured, it issues a
   * code at once and redirects to our callback. Returns that callback URL.
   */
  private static String authorize(String providerUrl) {
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

  private static void assertRefusedWithoutSession(Response r, int status, SsoRefusal refusal) {
    assertThat(r.status()).as("body: %s", r.body()).isEqualTo(status);
    assertThat(r.sets(SessionCookies.ACCESS)).isFalse();
    assertThat(r.sets(SessionCookies.REFRESH)).isFalse();
    assertThat(r.body()).contains("Not signed in").contains(escape(refusal.message()));
  }

  private static String escape(String s) {
    return com.timereg.gateway.login.Html.escape(s);
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String subjectOf(String loginName) throws Exception {
    try (Connection c = database.openJdbc();
        PreparedStatement s = c.prepareStatement("SELECT sso_subject FROM users WHERE lower(login_name) = lower(?)")) {
      s.setString(1, loginName);
      ResultSet r = s.executeQuery();
      assertThat(r.next()).isTrue();
      return r.getString(1);
    }
  }

  private static List<String> auditActions(String actor) throws Exception {
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

  private static double ssoOutcome(String outcome) {
    return metric("gateway_sso_logins_total", "outcome", outcome);
  }

  /** One counter from the admin listener's Prometheus page. */
  private static double metric(String name, String label, String value) {
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
