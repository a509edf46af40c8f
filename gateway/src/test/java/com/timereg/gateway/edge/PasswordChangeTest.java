package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.admin.LoginEvent;
import com.timereg.gateway.admin.RecentLoginEvents;
import com.timereg.gateway.breach.BreachSetFiles;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.password.StrengthEstimate;
import com.timereg.gateway.password.StrengthEstimator;
import com.timereg.gateway.password.WordLists;
import com.timereg.gateway.password.UserContext;
import com.timereg.gateway.session.AuthMethod;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.CapturedLogs;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Password change and the strength check through a real gateway: real PostgreSQL, a breach set
 * built with the hibp-loader writer, a Danish word list as an extra dictionary, two customers with
 * different policies.
 */
@ExtendWith(PostgresExtension.class)
class PasswordChangeTest {
  static final String OLD = "Original-Quartz-Meadow-11";
  static final String NEW = "Plum-Anchor-Velvet-42";
  /** In the breach set 3,861,493 times; the set keeps power-of-two classes up to "32,768 or more". */
  static final String BREACHED = "Summer-Holiday-2019";
  static final String LENIENT = "lenient";
  static final String STRICT = "strict";

  @TempDir static Path dir;
  static Gateway gateway;
  static TestDatabase db;
  PublicClient client;

  @BeforeAll
  static void start(TestDatabase database) throws Exception {
    db = database;
    Path set = dir.resolve("hibp").resolve("current.set");
    BreachSetFiles.write(set, Map.of(BREACHED, 3_861_493L, "hunter2", 17_000L), 5_000, 7, Instant.now());
    TestAccounts.customer(db, LENIENT, "Lenient ApS", 1, 8);
    TestAccounts.customer(db, STRICT, "Strict A/S", 4, 16);
    gateway = Gateway.start(TestGateways.config(dir, db, Map.of(
        "GATEWAY_HIBP__SET_PATH", set.toString(),
        "GATEWAY_PASSWORD__ITERATIONS", Integer.toString(TestAccounts.ITERATIONS),
        "GATEWAY_PASSWORD__EXTRA_DICTIONARIES", danishWords().toString())));
  }

  static Path danishWords() throws Exception {
    return Path.of(PasswordChangeTest.class.getResource("/password/danish-words.txt").toURI());
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  @BeforeEach
  void client() {
    client = PublicClient.https(gateway.publicPort());
  }

  @AfterEach
  void closeClient() {
    client.close();
  }

  private static JsonObject change(String current, String next) {
    return new JsonObject().put("current_password", current).put("new_password", next);
  }

  private PublicClient.Response check(String token, String candidate) {
    return client.postJson("/password/check", token, new JsonObject().put("new_password", candidate));
  }

  @Test
  void changeEndsTheOtherSessionsAndKeepsThisOne() throws Exception {
    TestAccounts.User user = TestAccounts.user(db, LENIENT, "change", OLD);
    JsonObject here = client.tokens(user.login(), OLD);
    JsonObject elsewhere = client.tokens(user.login(), OLD);
    String hashBefore = TestAccounts.storedHash(db, user.id());

    PublicClient.Response r = client.postJson("/password", here.getString("access_token"), change(OLD, NEW));

    assertThat(r.status()).as(r.body()).isEqualTo(204);
    assertThat(TestAccounts.storedHash(db, user.id())).startsWith("pbkdf2_sha256$" + TestAccounts.ITERATIONS + "$")
        .isNotEqualTo(hashBefore);
    assertThat(check(here.getString("access_token"), "anything-at-all").status()).isEqualTo(200);
    assertThat(check(elsewhere.getString("access_token"), "anything-at-all").status()).isEqualTo(401);
    assertThat(client.postJson("/auth/refresh", null,
        new JsonObject().put("refresh_token", elsewhere.getString("refresh_token"))).status()).isEqualTo(401);
    assertThat(client.postJson("/auth/token", null,
        new JsonObject().put("username", user.login()).put("password", OLD)).status()).isEqualTo(401);
    assertThat(client.tokens(user.login(), NEW).getString("access_token")).isNotEmpty();
  }

  @Test
  void aFormChangeEndsTheAppsSessionAndTheBrowserStaysSignedInWhileTheAppsRefreshTokenIsRefused() throws Exception {
    TestAccounts.User user = TestAccounts.user(db, LENIENT, "two-clients", OLD);
    JsonObject app = client.tokens(user.login(), OLD);
    try (PublicClient browser = PublicClient.https(gateway.publicPort())) {
      browser.signInWithForm(user.login(), OLD);
      String csrf = PublicClient.csrfOf(browser.get("/password"));

      PublicClient.Response done = browser.postForm("/password", form(csrf, OLD, NEW, NEW));

      assertThat(done.status()).as(done.body()).isEqualTo(303);
      assertThat(browser.get("/password").status()).as("the browser stays signed in").isEqualTo(200);
      assertThat(check(app.getString("access_token"), "anything-at-all").status()).isEqualTo(401);
      assertThat(client.postJson("/auth/refresh", null,
          new JsonObject().put("refresh_token", app.getString("refresh_token"))).status()).isEqualTo(401);
    }
    JsonObject again = client.tokens(user.login(), NEW);
    PublicClient.Response refreshed = client.postJson("/auth/refresh", null,
        new JsonObject().put("refresh_token", again.getString("refresh_token")));
    assertThat(refreshed.status()).isEqualTo(200);
  }

  @Test
  void theChangingSessionsRefreshTokenStillWorksAfterTheChange() throws Exception {
    TestAccounts.User user = TestAccounts.user(db, LENIENT, "keeps-refresh", OLD);
    JsonObject here = client.tokens(user.login(), OLD);

    assertThat(client.postJson("/password", here.getString("access_token"), change(OLD, NEW)).status()).isEqualTo(204);
    PublicClient.Response refreshed = client.postJson("/auth/refresh", null,
        new JsonObject().put("refresh_token", here.getString("refresh_token")));

    assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
    assertThat(check(refreshed.json().getString("access_token"), "anything-at-all").status()).isEqualTo(200);
  }

  /**
   * The backend changes passwords too (Django's own change and reset pages, its admin), writing users.password_hash
   * past the gateway; Django's update_session_auth_hash then keeps only the session that changed it. The gateway's
   * sessions opened with the old password must not be refreshed on to their absolute timeout: the first refresh after
   * the change ends them, and the new password opens sessions as before.
   */
  @Test
  void aPasswordChangedByTheBackendEndsTheSessionsOpenedBeforeAtTheirNextRefresh() throws Exception {
    TestAccounts.User user = TestAccounts.user(db, LENIENT, "backend-change", OLD);
    JsonObject app = client.tokens(user.login(), OLD);

    TestAccounts.storeHash(db, user.id(), new DjangoPbkdf2Hasher(TestAccounts.ITERATIONS).hash(NEW));
    PublicClient.Response refreshed = client.postJson("/auth/refresh", null,
        new JsonObject().put("refresh_token", app.getString("refresh_token")));

    assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(401);
    assertThat(check(app.getString("access_token"), "anything-at-all").status())
        .as("its access token, once the refresh ended the session").isEqualTo(401);
    JsonObject again = client.tokens(user.login(), NEW);
    assertThat(client.postJson("/auth/refresh", null,
        new JsonObject().put("refresh_token", again.getString("refresh_token"))).status()).isEqualTo(200);
  }

  @Test
  void wrongCurrentPasswordIs401AndCountsAsAnInvalidLogin() throws Exception {
    TestAccounts.User user = TestAccounts.user(db, LENIENT, "wrong", OLD);
    String token = client.tokens(user.login(), OLD).getString("access_token");
    InetAddress localhost = InetAddress.getByName("127.0.0.1");
    long failuresBefore = gateway.throttle().explain(localhost).client().totalFailures();

    PublicClient.Response r = client.postJson("/password", token, change("not-my-password", NEW));

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.json().getString("error")).isEqualTo("invalid_current_password");
    assertThat(r.json().getString("message")).isEqualTo("The current password is wrong.");
    assertThat(gateway.throttle().explain(localhost).client().totalFailures()).isEqualTo(failuresBefore + 1);
    client.tokens(user.login(), OLD);
  }

  /**
   * A wrong current password counts towards the address's block like a failed login, so staff explaining that
   * block must see it among the address's login outcomes (the console's events and explain's history): counted but
   * not shown, ten of them blocked an office while its history showed nothing.
   */
  @Test
  void aWrongCurrentPasswordIsAmongTheLoginOutcomesStaffSee() throws Exception {
    TestAccounts.User user = TestAccounts.user(db, LENIENT, "explained", OLD);
    String token = client.tokens(user.login(), OLD).getString("access_token");
    RecentLoginEvents events = (RecentLoginEvents) gateway.securityEvents();
    InetAddress localhost = InetAddress.getByName("127.0.0.1");
    long failuresBefore = gateway.throttle().explain(localhost).client().totalFailures();

    assertThat(client.postJson("/password", token, change("not-my-password", NEW)).status()).isEqualTo(401);

    assertThat(gateway.throttle().explain(localhost).client().totalFailures()).isEqualTo(failuresBefore + 1);
    LoginEvent newest = events.newest(0, 1).get(0);
    assertThat(newest.succeeded()).isFalse();
    assertThat(newest.client()).isEqualTo(localhost);
    assertThat(newest.loginName()).isEqualTo(user.login());
    assertThat(newest.detail()).isEqualTo("wrong_password");
  }

  @Test
  void breachedPasswordIsRefusedSayingHowOftenItAppears() throws Exception {
    TestAccounts.User user = TestAccounts.user(db, LENIENT, "breached", OLD);
    String token = client.tokens(user.login(), OLD).getString("access_token");

    PublicClient.Response r = client.postJson("/password", token, change(OLD, BREACHED));

    assertThat(r.status()).isEqualTo(422);
    assertThat(r.json().getString("error")).isEqualTo("password_refused");
    assertThat(r.json().getString("message"))
        .isEqualTo("The new password was not accepted: appears at least 32,768 times in known data breaches.");
    assertThat(r.json().getJsonArray("reasons")).containsExactly(new JsonObject()
        .put("code", "breached").put("message", "appears at least 32,768 times in known data breaches"));
    client.tokens(user.login(), OLD);
  }

  @Test
  void policyIsTheCustomersOwn() throws Exception {
    String lenient = client.tokens(TestAccounts.user(db, LENIENT, "policy", OLD).login(), OLD).getString("access_token");
    String strict = client.tokens(TestAccounts.user(db, STRICT, "policy", OLD).login(), OLD).getString("access_token");

    JsonObject forLenient = check(lenient, "kanelsnegl77").json();
    JsonObject forStrict = check(strict, "kanelsnegl77").json();

    assertThat(forLenient.getBoolean("meets_policy")).as(forLenient.encode()).isTrue();
    assertThat(forLenient.getJsonArray("reasons")).isEmpty();
    assertThat(forStrict.getBoolean("meets_policy")).isFalse();
    assertThat(messages(forStrict.getJsonArray("reasons")))
        .containsExactly("shorter than 16 characters", "too easy to guess");
    assertThat(forStrict.getBoolean("pwned")).isFalse();
    assertThat(forStrict.getLong("prevalence")).isZero();
  }

  @Test
  void aDanishWordFromTheExtraDictionaryLowersTheEstimate() throws Exception {
    TestAccounts.User user = TestAccounts.user(db, LENIENT, "danish", OLD);
    String token = client.tokens(user.login(), OLD).getString("access_token");
    UserContext context = new UserContext(user.login(), user.login() + "@lenient.example", "Lenient ApS");
    int withoutDictionary = new StrengthEstimator(64, List.of()).estimate("julefrokost", context).score();

    JsonObject verdict = check(token, "julefrokost").json();

    assertThat(withoutDictionary).isEqualTo(4);
    assertThat(verdict.getInteger("score")).isZero();
    assertThat(verdict.getBoolean("meets_policy")).isFalse();
    assertThat(messages(verdict.getJsonArray("reasons"))).containsExactly("too easy to guess");
  }

  @Test
  void theUsersOwnLoginNameCountsAsADictionaryWord() throws Exception {
    TestAccounts.User user = TestAccounts.user(db, LENIENT, "contextual", OLD);
    String token = client.tokens(user.login(), OLD).getString("access_token");
    String candidate = user.login() + "!";
    int strangersScore = new StrengthEstimator(64, List.of()).estimate(candidate, UserContext.NONE).score();

    JsonObject verdict = check(token, candidate).json();

    assertThat(strangersScore).isEqualTo(4);
    assertThat(verdict.getInteger("score")).isLessThan(2);
  }

  @Test
  void ssoOnlyUserIsToldThereIsNoPasswordHere() throws Exception {
    TestAccounts.User user = TestAccounts.user(db, LENIENT, "sso", null);
    String token = Await.await(gateway.sessions().issue(user.id(), user.customer(), user.login(), AuthMethod.SSO))
        .accessToken();

    PublicClient.Response r = client.postJson("/password", token, change("whatever", NEW));

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().getString("error")).isEqualTo("password_not_used");
    assertThat(r.json().getString("message")).contains("signs in with Microsoft");
  }

  @Test
  void malformedRequestsAreRefusedWithAClearAnswer() throws Exception {
    TestAccounts.User user = TestAccounts.user(db, LENIENT, "malformed", OLD);
    String token = client.tokens(user.login(), OLD).getString("access_token");

    PublicClient.Response missing = client.postJson("/password", token, new JsonObject().put("current_password", OLD));
    PublicClient.Response notJson = client.postJson("/password", token, new JsonObject());
    PublicClient.Response anonymous = client.postJson("/password", null, change(OLD, NEW));
    PublicClient.Response anonymousCheck = check(null, NEW);

    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().getString("message")).isEqualTo("Enter a new password.");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymousCheck.status()).isEqualTo(401);
    client.tokens(user.login(), OLD);
  }

  /**
   * A NUL or another control character in a new password is refused with a clear 400, by the API, the strength
   * check and the form, as Django's forms refuse a NUL; before, the API and the form stored such a password.
   */
  @Test
  void aNewPasswordWithANulOrAnotherControlCharacterIsRefusedByTheApiAndTheForm() throws Exception {
    TestAccounts.User user = TestAccounts.user(db, LENIENT, "control-chars", OLD);
    String token = client.tokens(user.login(), OLD).getString("access_token");

    for (String candidate : List.of(NEW + "\u0000", "Plum\u0000Anchor-Velvet-42", NEW + "\n", NEW + "\u001b", NEW + "\u0085")) {
      PublicClient.Response api = client.postJson("/password", token, change(OLD, candidate));
      assertThat(api.status()).as(api.body()).isEqualTo(400);
      assertThat(api.json().getString("error")).isEqualTo("invalid_request");
      assertThat(api.json().getString("message")).contains("control characters");
      PublicClient.Response meter = check(token, candidate);
      assertThat(meter.status()).isEqualTo(400);
      assertThat(meter.json().getString("message")).contains("control characters");
    }

    client.signInWithForm(user.login(), OLD);
    String csrf = PublicClient.csrfOf(client.get("/password"));
    String withNul = "Plum\u0000Anchor-Velvet-42";
    PublicClient.Response form = client.postForm("/password", form(csrf, OLD, withNul, withNul));
    assertThat(form.status()).isEqualTo(400);
    assertThat(form.body()).contains("Passwords may not contain control characters");

    client.tokens(user.login(), OLD);
  }

  @Test
  void checksAreRateLimitedPerUserWhateverItsSessions() throws Exception {
    TestAccounts.User user = TestAccounts.user(db, LENIENT, "meter", OLD);
    TestAccounts.User colleague = TestAccounts.user(db, LENIENT, "meter-colleague", OLD);
    String first = client.tokens(user.login(), OLD).getString("access_token");
    String second = client.tokens(user.login(), OLD).getString("access_token");
    String other = client.tokens(colleague.login(), OLD).getString("access_token");

    for (int i = 0; i < 30; i++) {
      assertThat(check(first, "candidate-" + i).status()).isEqualTo(200);
    }
    PublicClient.Response limited = check(first, "one-too-many");

    assertThat(limited.status()).isEqualTo(429);
    assertThat(Long.parseLong(limited.headers().get("Retry-After"))).isPositive();
    assertThat(check(second, "another-session").status()).as("a new session brings no new allowance").isEqualTo(429);
    assertThat(check(other, "another-user").status()).isEqualTo(200);
  }

  @Test
  void browserFormChangesThePasswordAndShowsTheSuccessPage() throws Exception {
    TestAccounts.User user = TestAccounts.user(db, LENIENT, "form", OLD);
    client.signInWithForm(user.login(), OLD);

    PublicClient.Response page = client.get("/password");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("<label for=\"current_password\">Current password</label>",
        "<label for=\"new_password\">New password</label>", "<label for=\"confirm_password\">Confirm new password</label>",
        "At least 8 characters.");
    assertThat(page.headers().get("Content-Security-Policy")).contains("script-src 'sha256-", "connect-src 'self'");
    String csrf = PublicClient.csrfOf(page);

    PublicClient.Response mismatch = client.postForm("/password", form(csrf, OLD, NEW, NEW + "x"));
    assertThat(mismatch.status()).isEqualTo(400);
    assertThat(mismatch.body()).contains("The new password and its confirmation differ.")
        .as("the form shown again keeps the customer's rules").contains("At least 8 characters.");

    PublicClient.Response refused = client.postForm("/password", form(csrf, OLD, "hunter2", "hunter2"));
    assertThat(refused.status()).isEqualTo(422);
    // The lenient customer's minimum score (1) lets "hunter2" pass as guessable enough.
    assertThat(refused.body()).contains("<li>Shorter than 8 characters</li>",
        "<li>Appears at least 16,384 times in known data breaches</li>").doesNotContain("Too easy to guess")
        .contains("At least 8 characters.");

    PublicClient.Response done = client.postForm("/password", form(csrf, OLD, NEW, NEW));
    assertThat(done.status()).isEqualTo(303);
    assertThat(done.headers().get("Location")).isEqualTo("/password/changed");
    assertThat(client.get("/password/changed").body()).contains("Your password has been changed.");
    assertThat(client.get("/password").status()).as("still signed in").isEqualTo(200);
  }

  @Test
  void inABrowserTheMeterExplainsRefusalsAndTheFormChangesThePassword() throws Exception {
    Assumptions.assumeTrue(Chromium.installed(), "needs Debian's chromium and chromium-driver");
    TestAccounts.User user = TestAccounts.user(db, LENIENT, "browser", OLD);
    String origin = "https://localhost:" + gateway.publicPort();
    try (Chromium browser = new Chromium(dir.resolve("chromium-" + user.id()))) {
      browser.open(origin + "/login");
      browser.type("#username", user.login());
      browser.type("#password", OLD);
      browser.click("button[type=submit]");
      // Opening the next page before the login's redirect has set the session cookies would race it.
      browser.awaitUrl(u -> !u.contains("/login"));
      browser.open(origin + "/password");

      browser.type("#new_password", "hunter2");
      String verdict = browser.awaitText("#strength-text", t -> !t.isEmpty());
      assertThat(verdict).isEqualTo("Strength: Weak. Not accepted: shorter than 8 characters; "
          + "appears at least 16,384 times in known data breaches.");
      browser.screenshot(Path.of("target", "password-page-refused.png"));

      browser.type("#current_password", OLD);
      browser.type("#new_password", "-and-then-some-more-words");
      assertThat(browser.awaitText("#strength-text", t -> t.endsWith("Accepted."))).startsWith("Strength: Very strong.");
      browser.type("#confirm_password", "hunter2-and-then-some-more-words");
      browser.click("button[type=submit]");

      assertThat(browser.awaitUrl(u -> u.endsWith("/password/changed"))).isEqualTo(origin + "/password/changed");
      assertThat(browser.text("main")).contains("Your password has been changed.");
    }
    client.tokens(user.login(), "hunter2-and-then-some-more-words");
  }

  /**
   * A check the server answers with an error (the password too long to check, too many checks) must not leave the
   * verdict on an earlier value in place: the meter said "Accepted." beside a password that would be refused.
   */
  @Test
  void inABrowserTheMeterDropsItsVerdictWhenTheNextCheckIsRefused() throws Exception {
    Assumptions.assumeTrue(Chromium.installed(), "needs Debian's chromium and chromium-driver");
    TestAccounts.User user = TestAccounts.user(db, LENIENT, "stale-meter", OLD);
    String origin = "https://localhost:" + gateway.publicPort();
    try (Chromium browser = new Chromium(dir.resolve("chromium-" + user.id()))) {
      browser.open(origin + "/login");
      browser.type("#username", user.login());
      browser.type("#password", OLD);
      browser.click("button[type=submit]");
      browser.awaitUrl(u -> !u.contains("/login"));
      browser.open(origin + "/password");

      browser.type("#new_password", NEW);
      assertThat(browser.awaitText("#strength-text", t -> !t.isEmpty())).endsWith("Accepted.");
      // Over the 1,024 UTF-16 units a login accepts: the check answers 400, and the change would too.
      browser.type("#new_password", "x".repeat(1_100));

      assertThat(browser.awaitText("#strength-text", t -> !t.endsWith("Accepted.")))
          .isEqualTo("Passwords longer than 512 characters are not accepted.");
    }
  }

  @Test
  void formWithoutTheCsrfTokenIsRefused() throws Exception {
    TestAccounts.User user = TestAccounts.user(db, LENIENT, "csrf", OLD);
    client.signInWithForm(user.login(), OLD);

    PublicClient.Response r = client.postForm("/password", form("forged-token-forged-token-forged-token", OLD, NEW, NEW));

    assertThat(r.status()).isEqualTo(403);
    client.tokens(user.login(), OLD);
  }

  /** "Your password has been changed. You stay signed in here" is not for someone who is not signed in. */
  @Test
  void theSuccessPageSendsVisitorsWithoutASessionToLogin() {
    PublicClient.Response r = client.get("/password/changed");

    assertThat(r.status()).isEqualTo(303);
    assertThat(r.headers().get("Location")).isEqualTo("/login?next=%2Fpassword");
  }

  @Test
  void pageSendsVisitorsWithoutASessionToLogin() {
    PublicClient.Response r = client.get("/password");

    assertThat(r.status()).isEqualTo(303);
    assertThat(r.headers().get("Location")).isEqualTo("/login?next=%2Fpassword");
  }

  @Test
  void metersCountLookupsRefusalsAndEstimates() throws Exception {
    TestAccounts.User user = TestAccounts.user(db, LENIENT, "metered", OLD);
    String token = client.tokens(user.login(), OLD).getString("access_token");
    client.postJson("/password", token, change(OLD, BREACHED));

    try (PublicClient admin = PublicClient.plain(gateway.adminPort())) {
      String metrics = admin.get("/metrics").body();
      assertThat(metrics).contains("gateway_password_breach_lookups_total{result=\"found\"}",
          "gateway_password_breach_lookups_total{result=\"not_found\"}",
          "gateway_password_refusals_total{reason=\"breached\"}",
          "gateway_password_estimate_seconds_count",
          "gateway_password_breach_set_entries 5002.0");
    }
  }

  @Test
  void neitherPasswordsNorEstimatesReachTheLog() throws Exception {
    TestAccounts.User user = TestAccounts.user(db, LENIENT, "quiet", OLD);
    String candidate = "Velvet-Otter-Lantern-77";
    StrengthEstimate estimate = new StrengthEstimator(64, WordLists.load(List.of(danishWords())))
        .estimate(candidate, new UserContext(user.login(), user.login() + "@lenient.example", "Lenient ApS"));
    List<String> lines;
    try (CapturedLogs logs = CapturedLogs.atDebug()) {
      String token = client.tokens(user.login(), OLD).getString("access_token");
      assertThat(check(token, candidate).status()).isEqualTo(200);
      assertThat(client.postJson("/password", token, change("Wrong-Guess-Of-Mine", candidate)).status()).isEqualTo(401);
      assertThat(client.postJson("/password", token, change(OLD, BREACHED)).status()).isEqualTo(422);
      assertThat(client.postJson("/password", token, change(OLD, candidate)).status()).isEqualTo(204);
      lines = logs.lines();
    }
    assertThat(lines).anyMatch(line -> line.contains("user " + user.id() + " changed their password"));
    for (String secret : List.of(OLD, candidate, BREACHED, "Wrong-Guess-Of-Mine",
        Double.toString(estimate.entropyBits()), String.format(java.util.Locale.ROOT, "%.1f", estimate.entropyBits()))) {
      assertThat(lines).noneMatch(line -> line.contains(secret));
    }
    assertThat(lines).noneMatch(line -> line.toLowerCase(java.util.Locale.ROOT).contains("entropy"));
  }

  private static MultiMap form(String csrf, String current, String next, String confirm) {
    return MultiMap.caseInsensitiveMultiMap().add("csrf", csrf).add("current_password", current)
        .add("new_password", next).add("confirm_password", confirm);
  }

  private static List<String> messages(JsonArray reasons) {
    return reasons.stream().map(r -> ((JsonObject) r).getString("message")).toList();
  }
}
