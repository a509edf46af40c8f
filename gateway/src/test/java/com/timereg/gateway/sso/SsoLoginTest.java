package com.timereg.gateway.sso;

import static com.timereg.gateway.sso.SsoTestBed.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.login.LoginRoutes;
import com.timereg.gateway.session.SessionCookies;
import com.timereg.gateway.sso.Browser.Response;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Microsoft sign-in end to end (see {@link SsoTestBed}), driven by an HTTP client that follows
 * every redirect by hand: the modes, the ID token checks, the state, and home-realm discovery.
 */
@ExtendWith(PostgresExtension.class)
class SsoLoginTest {
  @TempDir static Path dir;

  Browser browser;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    SsoTestBed.start(db, dir);
  }

  @AfterAll
  static void stop() {
    SsoTestBed.stop();
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
    Response password = passwordLogin(browser, "olivia@optco.example");
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

  /**
   * Signing in with Microsoft in a browser that is signed in already (with a password here) replaces the session
   * cookies; the replaced session must end with them, not stay refreshable by whoever copied its refresh cookie.
   */
  @Test
  void aMicrosoftSignInOverASignedInSessionEndsTheSessionItReplaces() {
    assertThat(passwordLogin(browser, "olivia@optco.example").status()).isEqualTo(303);
    String replaced = browser.cookie(SessionCookies.REFRESH);
    assertThat(replaced).isNotNull();
    provider.enqueueCallback(identity(OPT_TENANT, "oid-olivia", Map.of("email", "olivia@optco.example")));
    Response landed = signIn(browser, "olivia@optco.example", "/api/me");
    assertThat(landed.status()).as(landed.body()).isEqualTo(303);
    assertThat(browser.cookie(SessionCookies.REFRESH)).isNotEqualTo(replaced);
    assertThat(new JsonObject(browser.get("/api/me").body()).getString("method")).isEqualTo("sso");

    assertThat(Await.await(gateway.sessions().refresh(replaced)).succeeded())
        .as("the replaced session's refresh token").isFalse();
  }

  @Test
  void requiredModeRefusesAPasswordWithALinkToMicrosoftAndCountsIt() {
    double before = metric("gateway_throttle_invalid_logins_total", "kind", "sso_required");
    Response refused = passwordLogin(browser, "rita@reqco.example");
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.sets(SessionCookies.ACCESS)).isFalse();
    assertThat(refused.body()).contains(escape(LoginRoutes.SSO_MESSAGE));
    assertThat(refused.body()).contains("href=\"/sso/start?login=rita%40reqco.example&amp;next=%2F\"");
    assertThat(metric("gateway_throttle_invalid_logins_total", "kind", "sso_required")).isEqualTo(before + 1);
  }

  @Test
  void requiredModeRefusesTheRightPasswordAtTheTokenEndpointToo() throws Exception {
    double before = metric("gateway_throttle_invalid_logins_total", "kind", "sso_required");
    try (com.timereg.gateway.testsupport.SourceClient app =
        new com.timereg.gateway.testsupport.SourceClient(clientVertx, "127.0.0.1", gateway.publicPort())) {
      com.timereg.gateway.testsupport.SourceClient.Reply refused = app.token("rita@reqco.example", PASSWORD);
      assertThat(refused.status()).as("body: %s", refused.body()).isEqualTo(401);
      assertThat(refused.json().getString("error")).isEqualTo("sso_required");
      assertThat(refused.json().containsKey("access_token")).isFalse();
      assertThat(refused.json().containsKey("refresh_token")).isFalse();
      assertThat(refused.json().getString("sso_url")).isEqualTo("/sso/start?login=rita%40reqco.example&next=%2F");
    }
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
    Response refused = passwordLogin(browser, "rita@reqco.example");
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

  /**
   * An e-mail claim with line breaks is no address: it neither names an account (created or linked) nor reaches
   * the log or the audit note as a forged line. A tenant's administrator can put anything in that claim.
   */
  @Test
  void anAddressWithLineBreaksIsNoAddressAndForgesNoLogLine() throws Exception {
    String forged = "\n2026-11-28 00:00:00.000 INFO  [main] c.t.gateway.edge.Gateway - stopped";
    try (com.timereg.gateway.testsupport.CapturedLogs logs = com.timereg.gateway.testsupport.CapturedLogs.atDebug()) {
      provider.enqueueCallback(identity(AUTO_TENANT, "oid-forger", Map.of("email", "forger@autoco.example" + forged)));
      Response created = signIn(browser, "forger@autoco.example", "/api/me");
      assertThat(created.sets(SessionCookies.ACCESS)).as("no account is made for such an address").isFalse();

      provider.enqueueCallback(identity(OPT_TENANT, "oid-forger2", Map.of("email", "forger@elsewhere.example" + forged)));
      assertThat(signIn(browser, "otto@optco.example", "/").sets(SessionCookies.ACCESS)).isFalse();

      assertThat(logs.lines()).noneMatch(line -> line.toLowerCase(java.util.Locale.ROOT)
          .contains(forged.toLowerCase(java.util.Locale.ROOT)));
    }
    try (Connection c = database.openJdbc();
        PreparedStatement s = c.prepareStatement("SELECT count(*) FROM users WHERE login_name LIKE 'forger%'")) {
      ResultSet r = s.executeQuery();
      r.next();
      assertThat(r.getInt(1)).isZero();
    }
  }

  /**
   * Bidirectional overrides and invisible characters (U+202E, U+2066..U+2069, U+200B) are no control characters,
   * but they reorder or hide what the log, the audit note and the console show around them: a provider's words
   * or a claim must not reach the trail with them, and an address with one is no address (it would become a
   * login name displayed as another's).
   */
  @Test
  void invisibleAndBidiCharactersReachNeitherTheAuditTrailNorALoginName() throws Exception {
    String hidden = "\u202Eexe.fdp\u2066\u2067\u2068\u2069\u200B";
    Response start = browser.get("/sso/start?login=olivia%40optco.example&next=%2F");
    String state = Browser.queryParam(start.location(), "state");
    Response back = browser.get("/sso/callback?error=access_denied&error_description=" + enc("cancelled" + hidden)
        + "&state=" + state);
    assertRefusedWithoutSession(back, 401, SsoRefusal.PROVIDER_ERROR);
    provider.enqueueCallback(identity(REQ_TENANT, "oid-rita", Map.of("tid", "another" + hidden)));
    assertRefusedWithoutSession(signIn(browser, "rita@reqco.example", "/"), 401, SsoRefusal.WRONG_TENANT);
    try (Connection c = database.openJdbc(); PreparedStatement s = c.prepareStatement(
        "SELECT note FROM audit_events WHERE action = 'sso-refused' ORDER BY id DESC LIMIT 2")) {
      ResultSet r = s.executeQuery();
      List<String> notes = new java.util.ArrayList<>();
      while (r.next()) {
        notes.add(r.getString(1));
      }
      assertThat(notes).hasSize(2).anyMatch(n -> n.startsWith("provider_error: ")).anyMatch(n -> n.startsWith("wrong_tenant: "));
      assertThat(notes).allMatch(n -> n.codePoints().noneMatch(ch -> Character.getType(ch) == Character.FORMAT), "no format character");
    }
    provider.enqueueCallback(identity(AUTO_TENANT, "oid-hidden", Map.of("email", "adm\u200Bin@autoco.example")));
    assertThat(signIn(browser, "admin@autoco.example", "/").sets(SessionCookies.ACCESS))
        .as("no account is made for such an address").isFalse();
    try (Connection c = database.openJdbc();
        PreparedStatement s = c.prepareStatement("SELECT count(*) FROM users WHERE sso_subject = 'oid-hidden'")) {
      ResultSet r = s.executeQuery();
      r.next();
      assertThat(r.getInt(1)).isZero();
    }
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

  /**
   * An address claim is taken as a typed login name is (NFKC, as LoginService does): written in another Unicode
   * form (full-width letters here; a decomposed accent alike) it is the account's own address. Taken as sent it
   * linked nothing, and where accounts are created it made a second account for the same person, under a name no
   * password login can reach and the lower-cased unique index does not see as taken.
   */
  @Test
  void anAddressClaimInAnotherUnicodeFormIsTheAccountsOwnAddress() throws Exception {
    try (Connection c = database.openJdbc(); PreparedStatement s = c.prepareStatement("INSERT INTO users "
        + "(customer_id, login_name, email) SELECT id, 'ava@autoco.example', 'ava@autoco.example' FROM customers "
        + "WHERE slug = 'autoco'")) {
      s.execute();
    }
    provider.enqueueCallback(identity(AUTO_TENANT, "oid-ava", Map.of("email", "\uFF41\uFF56\uFF41@autoco.example")));
    Response landed = signIn(browser, "ava@autoco.example", "/api/me");
    assertThat(landed.status()).as("body: %s", landed.body()).isEqualTo(303);
    assertThat(new JsonObject(browser.get("/api/me").body()).getString("user")).isEqualTo("ava@autoco.example");
    assertThat(subjectOf("ava@autoco.example")).isEqualTo("oid-ava");
    try (Connection c = database.openJdbc();
        PreparedStatement s = c.prepareStatement("SELECT count(*) FROM users WHERE sso_subject = 'oid-ava'")) {
      ResultSet r = s.executeQuery();
      r.next();
      assertThat(r.getInt(1)).as("no second account").isEqualTo(1);
    }
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

  @Test
  void aProviderOutageAtTheTokenEndpointIsUnavailableAndNotCountedAgainstTheClient() {
    double counted = metric("gateway_throttle_invalid_logins_total", "kind", "sso_rejected");
    double unavailable = ssoOutcome("provider_unavailable");
    // The provider's own error page, its OAuth "try later" answer, and an HTML page where JSON belongs
    // (a proxy in front of it): none says anything about the code, so none is an attack by the client.
    String[][] answers = {{"500", "text/html", "<html>Internal error</html>"},
        {"503", "application/json", "{\"error\":\"temporarily_unavailable\",\"error_description\":\"try later\"}"},
        {"200", "text/html", "<html>Sign in to the proxy</html>"}};
    for (String[] answer : answers) {
      Response start = browser.get("/sso/start?login=olivia%40optco.example&next=%2F");
      String callback = authorize(start.location());
      tokenAnswers.enqueue(Integer.parseInt(answer[0]), answer[1], answer[2]);
      Response r = browser.get(callback);
      assertRefusedWithoutSession(r, 502, SsoRefusal.PROVIDER_UNAVAILABLE);
    }
    assertThat(ssoOutcome("provider_unavailable")).isEqualTo(unavailable + answers.length);
    assertThat(metric("gateway_throttle_invalid_logins_total", "kind", "sso_rejected")).isEqualTo(counted);
  }

  @Test
  void aProviderPublishingNoUsableKeysIsUnavailableNotAnInvalidTokenCountedAgainstTheClient() {
    double counted = metric("gateway_throttle_invalid_logins_total", "kind", "sso_rejected");
    double invalid = ssoOutcome("token_invalid");
    double unavailable = ssoOutcome("provider_unavailable");
    // An empty key set, and only a key for encryption: no ID token can be checked, whoever signs in.
    keySets.answer(NO_KEYS_TENANT, 200, "application/json", "{\"keys\":[]}");
    keySets.answer(BROKEN_KEYS_TENANT, 200, "application/json",
        "{\"keys\":[{\"kty\":\"oct\",\"use\":\"enc\",\"kid\":\"e1\",\"k\":\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0\"}]}");
    String[][] people = {{NO_KEYS_TENANT, "oid-nina", "nina@nokeysco.example"},
        {BROKEN_KEYS_TENANT, "oid-bruno", "bruno@brokenkeysco.example"}};
    for (String[] person : people) {
      Response r = browser.get("/sso/start?login=" + enc(person[2]) + "&next=%2F");
      if (r.status() == 303) {
        provider.enqueueCallback(identity(person[0], person[1], Map.of()));
        r = browser.get(authorize(r.location()));
      }
      // Whether refused at the start or on the way back: "try again", with its own reason, not "forged".
      assertRefusedWithoutSession(r, 502, SsoRefusal.PROVIDER_UNAVAILABLE);
      assertThat(r.headers().get("Retry-After")).isNotNull();
    }
    assertThat(ssoOutcome("provider_unavailable")).isEqualTo(unavailable + people.length);
    assertThat(ssoOutcome("token_invalid")).isEqualTo(invalid);
    assertThat(metric("gateway_throttle_invalid_logins_total", "kind", "sso_rejected")).isEqualTo(counted);
  }

  /**
   * The key set is read by the gateway (bounded) and handed to the library, which fetches none of its own: a key set
   * the provider empties later (or a refresh on its Cache-Control max-age could have emptied) does not reach a
   * provider already discovered, which goes on checking tokens with the keys it has.
   */
  @Test
  void theLibraryFetchesNoKeySetOfItsOwnSoNoRefreshCanEmptyIt() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String keys = http.send(java.net.http.HttpRequest.newBuilder(provider.url(EMPTIED_KEYS_TENANT + "/jwks").uri()).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    assertThat(Providers.usableKeys(keys)).as("the provider's own key set: %s", keys).isTrue();
    keySets.answerRefreshedEverySecond(EMPTIED_KEYS_TENANT, keys);
    provider.enqueueCallback(identity(EMPTIED_KEYS_TENANT, "oid-emma", Map.of()));
    Response first = signIn(browser, "emma@emptiedkeysco.example", "/");
    assertThat(first.status()).as("first sign-in: %s", first.body()).isEqualTo(303);

    keySets.answerRefreshedEverySecond(EMPTIED_KEYS_TENANT, "{\"keys\":[]}");
    keySets.served.clear();
    // The key set says max-age=1: a library refreshing it would have asked within three seconds.
    assertThat(keySets.served.poll(3, java.util.concurrent.TimeUnit.SECONDS)).as("a key-set refresh").isNull();
    Browser other = new Browser(clientVertx, gateway.publicPort());
    try {
      provider.enqueueCallback(identity(EMPTIED_KEYS_TENANT, "oid-emma", Map.of()));
      assertThat(signIn(other, "emma@emptiedkeysco.example", "/").status()).isEqualTo(303);
    } finally {
      other.close();
    }
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

  /**
   * A callback naming a parameter twice (two codes, two states) is refused as malformed (RFC 6749 3.1: request and
   * response parameters must not be included more than once), not answered with whichever came first; the pending
   * sign-in is left for the real callback.
   */
  @Test
  void aCallbackWithARepeatedParameterIsRefusedAsMalformed() {
    for (String repeated : new String[] {"code=other", "state=other", "error=a&error=b"}) {
      provider.enqueueCallback(identity(OPT_TENANT, "oid-olivia", Map.of()));
      Response start = browser.get("/sso/start?login=olivia%40optco.example&next=%2F");
      String callback = authorize(start.location());
      Response twice = browser.get(callback + "&" + repeated);
      assertThat(twice.status()).as(repeated + ": %s", twice.body()).isEqualTo(400);
      assertThat(twice.body()).as(repeated).contains("malformed");
      assertThat(twice.sets(SessionCookies.ACCESS)).as(repeated).isFalse();
      assertThat(browser.get(callback).sets(SessionCookies.ACCESS)).as(repeated + ": the real callback").isTrue();
    }
  }

  /** Bad input is a clear 4xx, never a 500: broken percent escapes in the links, a NUL in the login name. */
  @Test
  void aMalformedLinkOrLoginNameIsAClientErrorNotAServerError() {
    for (String link : new String[] {"/sso/start?login=%zz&next=%2F", "/sso/start?login=olivia%40optco.example&next=%",
        "/sso/callback?state=%zz&code=x", "/sso/callback?state=x&code=%E0%A4%"}) {
      Response r = browser.get(link);
      assertThat(r.status()).as(link).isEqualTo(400);
      assertThat(r.body()).as(link).contains("malformed").doesNotContain("Exception");
      assertThat(r.sets(SessionCookies.ACCESS)).isFalse();
    }
    Response nul = browser.get("/sso/start?login=olivia%00%40optco.example&next=%2F");
    assertThat(nul.status()).as("a NUL in the name: no Microsoft sign-in for it, no outage").isEqualTo(200);
    assertThat(nul.location()).isNull();
  }

  @Test
  void callbackInABrowserOtherThanTheOneThatStartedIsRefused() {
    provider.enqueueCallback(identity(OPT_TENANT, "oid-olivia", Map.of()));
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
      // Neither took the sign-in away from the browser that started it (the attacker would need the state,
      // but a state leaked through a log or a Referer must not cancel the user's sign-in).
      Response own = browser.get(callback);
      assertThat(own.status()).isEqualTo(303);
      assertThat(own.sets(SessionCookies.ACCESS)).isTrue();
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
  void theProvidersErrorWordsAreNeverShownOnThePage() {
    Response start = browser.get("/sso/start?login=olivia%40optco.example&next=%2F");
    String state = Browser.queryParam(start.location(), "state");
    Response back = browser.get("/sso/callback?error=" + enc("<script>alert('e')</script>") + "&error_description="
        + enc("<img src=x onerror=alert(1)>\r\nforged") + "&state=" + state);
    assertRefusedWithoutSession(back, 401, SsoRefusal.PROVIDER_ERROR);
    assertThat(back.body()).doesNotContain("alert(").doesNotContain("onerror").doesNotContain("forged")
        .doesNotContain("<script>");
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

  /**
   * Home-realm discovery takes a typed name as the password login does (NFKC): a name the password login takes
   * for rita's (full-width letters, as an IME may type them) must not get "Microsoft sign-in is not available"
   * when her customer allows nothing else.
   */
  @Test
  void homeRealmDiscoveryTakesANameTypedInAnotherUnicodeFormAsThePasswordLoginDoes() {
    String fullWidth = "\uFF52\uFF49\uFF54\uFF41\uFF20\uFF52\uFF45\uFF51\uFF43\uFF4F\uFF0E"
        + "\uFF45\uFF58\uFF41\uFF4D\uFF50\uFF4C\uFF45";
    Response password = passwordLogin(browser, fullWidth);
    assertThat(password.status()).isEqualTo(401);
    assertThat(password.body()).as("the password login knows the name").contains(escape(LoginRoutes.SSO_MESSAGE));
    Response identified = browser.postForm("/login/identify",
        Map.of("csrf", browser.csrfToken(), "username", fullWidth, "next", "/"));
    assertThat(identified.status()).as("body: %s", identified.body()).isEqualTo(303);
    assertThat(identified.location()).startsWith(provider.issuerUrl(REQ_TENANT).toString() + "/authorize?");
    assertThat(Browser.queryParam(identified.location(), "login_hint")).isEqualTo("rita@reqco.example");
  }

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
  void identifyAnswersAnOversizedFormWithTheLoginPageNotPlainText() {
    Response r = browser.postForm("/login/identify", Map.of("csrf", browser.csrfToken(),
        "username", "x".repeat((int) com.timereg.gateway.login.LoginRoutes.BODY_LIMIT)));
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.body()).contains("The form could not be read", "<form");
  }

  @Test
  void nextIsKeptAcrossTheSignInButOnlyAsALocalPath() {
    provider.enqueueCallback(identity(OPT_TENANT, "oid-olivia", Map.of()));
    Response landed = signIn(browser, "olivia@optco.example", "https://evil.example/");
    assertThat(landed.location()).isEqualTo("/");
  }

  @Test
  void aNextThatOnlyPercentEncodingMakesTooLongStillStartsTheSignInAndLandsHome() {
    // 300 Japanese letters: a path of 310 characters, 2,710 once percent-encoded for the Location header, which
    // is longer than a pending sign-in may keep (2,048); the sign-in must not fail for it.
    String next = "/projects?q=" + "\u3042".repeat(300);
    provider.enqueueCallback(identity(OPT_TENANT, "oid-olivia", Map.of()));
    Response landed = signIn(browser, "olivia@optco.example", next);
    assertThat(landed.status()).as("callback: %s", landed.body()).isEqualTo(303);
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

}
