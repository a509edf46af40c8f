package com.timereg.gateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.exitHereIfFailed;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.listFeeder;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Password strength checks and password changes, with breached and with strong passwords.
 *
 * <p>Each virtual user owns one account (a changed password must not surprise another user of
 * the same account), so there are as many users as accounts, at most {@code users}. Each logs in
 * with the app API and, for {@code duration} (a round under way is finished), repeats: check a breached password (must not meet
 * the policy), check a strong random one (must), try to change to the breached one (refused
 * with 400 or 422 and reasons), change to the strong one (204), log in with it, change back to
 * the original (204) and log in with that. So every account ends with the password it started
 * with, provided the gateway accepts a previous password again; use dedicated test accounts.
 *
 * <p>Contract: {@code POST /password/check} {@code {password}} with a session answers
 * {@code {pwned, prevalence, meets_policy, score, reasons}}; {@code POST /password}
 * {@code {current_password, new_password}} answers 204, or 400/422 with reasons. With
 * {@code expectPwned=true} (a gateway that has a Have I Been Pwned set loaded) the breached
 * passwords must also be reported {@code pwned}.
 *
 * <p>Assertions: failed requests at most {@code maxFailedPct} (0) %; p99 of the check under
 * {@code checkP99Ms} (500) and of the change under {@code changeP99Ms} (5000).
 */
public class PasswordChange extends Simulation {
  /** Among the most common passwords in every breach corpus; any strength policy refuses them. */
  static final List<String> BREACHED = List.of("123456", "password", "qwerty123", "iloveyou", "Password1",
      "welcome1", "abc123", "letmein", "monkey123", "11111111");
  private static final String NEW_PASSWORD = "newPassword";
  private static final String BREACHED_PASSWORD = "breachedPassword";
  private static final String NEW_LOGIN_FAILED = "newPasswordLoginFailed";
  private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_.!#%+=";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Target target = Target.fromSystemProperties();
  private final ClientPool pool = ClientPool.fromSources();
  private final List<Map<String, Object>> accounts = oneUserPerAccount(Credentials.load());
  private final int users = Math.min(accounts.size(), Params.integer("users", accounts.size(), 1));
  private final Duration duration = Params.duration("duration", Duration.ofSeconds(60), true);
  private final boolean expectPwned = Params.flag("expectPwned", false);
  private final double maxFailedPct = Params.percent("maxFailedPct", 0);
  private final int checkP99Ms = Params.integer("checkP99Ms", 500, 1);
  private final int changeP99Ms = Params.integer("changeP99Ms", 5000, 1);

  private final ScenarioBuilder changers = scenario("password changers")
      // queue: each account to exactly one user.
      .exec(feed(listFeeder(accounts).queue()))
      .exec(pool.assign())
      .exec(Journeys.tokenLogin("login"))
      .exitHereIfFailed()
      // exitASAP off: Gatling's default leaves the loop the moment the duration ends, which can fall between
      // the change and the change back and leave the account with a random password nobody knows.
      .during(duration, false).on(
          exec(PasswordChange::pickPasswords),
          exec(checkBreached()),
          exec(checkStrong()),
          exec(change("POST /password (breached)", Journeys.PASSWORD, BREACHED_PASSWORD)
              .check(status().in(400, 422), jsonPath("$.reasons").exists())),
          // Nothing is changed yet: a failure so far needs no note.
          exitHereIfFailed(),
          exec(Journeys.retryWhileBusy(change("POST /password", Journeys.PASSWORD, NEW_PASSWORD)
              .check(status().in(204, 503)))),
          // Most likely unchanged; but an answer lost after the change was stored would hide one.
          exitHereIfFailedWithNote(),
          exec(Journeys.tokenLogin("login with the new password", NEW_PASSWORD)),
          // The session that made the change is still signed in (a change ends only the user's other sessions),
          // so it changes the password back even when that login failed: otherwise the account keeps a random
          // password nobody knows, and every later run with it fails. The failure still ends this user below.
          exec(s -> s.set(NEW_LOGIN_FAILED, s.isFailed()).markAsSucceeded()),
          exec(Journeys.retryWhileBusy(change("POST /password (back)", NEW_PASSWORD, Journeys.PASSWORD)
              .check(status().in(204, 503)))),
          exitHereIfFailedWithNote(),
          exec(s -> s.getBoolean(NEW_LOGIN_FAILED) ? s.markAsFailed() : s),
          exitHereIfFailed(),
          exec(Journeys.tokenLogin("login with the original password")),
          exec(s -> s.remove(NEW_PASSWORD)));

  {
    Params.refuseMisspelt();
    setUp(changers.injectOpen(atOnceUsers(users)))
        .protocols(target.protocol(pool))
        .assertions(
            global().failedRequests().percent().lte(maxFailedPct),
            details("POST /password/check (breached)").responseTime().percentile(99.0).lt(checkP99Ms),
            details("POST /password/check (strong)").responseTime().percentile(99.0).lt(checkP99Ms),
            details("POST /password").responseTime().percentile(99.0).lt(changeP99Ms));
  }

  /**
   * {@code accounts}, refused when one is listed twice (login names in any case, as the gateway finds them): two
   * users changing one account's password at once undo each other's change, and a change ends the other's
   * session, which then cannot change it back; the account is left with a random password nobody knows.
   */
  static List<Map<String, Object>> oneUserPerAccount(List<Map<String, Object>> accounts) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Map<String, Object> account : accounts) {
      String name = (String) account.get(Journeys.USERNAME);
      if (!seen.add(name.toLowerCase(java.util.Locale.ROOT))) {
        throw new IllegalArgumentException("-Dcredentials lists the account " + name + " more than once: PasswordChange"
            + " needs each account once, two users changing one password would leave it unknown");
      }
    }
    return accounts;
  }

  private ChainBuilder checkBreached() {
    CheckBuilder.Final pwned = expectPwned ? jsonPath("$.pwned").ofBoolean().is(true) : jsonPath("$.pwned").exists();
    return exec(check("POST /password/check (breached)", BREACHED_PASSWORD)
        .check(status().is(200), pwned,
            jsonPath("$.meets_policy").ofBoolean().is(false),
            jsonPath("$.reasons").exists(),
            jsonPath("$.score").exists(),
            jsonPath("$.prevalence").exists()));
  }

  private static ChainBuilder checkStrong() {
    return exec(check("POST /password/check (strong)", NEW_PASSWORD)
        .check(status().is(200),
            jsonPath("$.pwned").ofBoolean().is(false),
            jsonPath("$.meets_policy").ofBoolean().is(true)));
  }

  private static HttpRequestActionBuilder check(String name, String passwordKey) {
    return http(name).post("/password/check")
        .header("Authorization", "Bearer #{" + Journeys.ACCESS + "}")
        // The agreed contract names the field "password"; the implementation in progress reads
        // "new_password" (the name POST /password uses). Both carry the same candidate until
        // one name is settled, so the simulation measures the check either way.
        .body(StringBody(s -> Json.object("password", s.getString(passwordKey),
            "new_password", s.getString(passwordKey))))
        .asJson();
  }

  private static HttpRequestActionBuilder change(String name, String currentKey, String newKey) {
    return http(name).post("/password")
        .header("Authorization", "Bearer #{" + Journeys.ACCESS + "}")
        .body(StringBody(s -> Json.object("current_password", s.getString(currentKey),
            "new_password", s.getString(newKey))))
        .asJson();
  }

  private static Session pickPasswords(Session s) {
    StringBuilder strong = new StringBuilder(24);
    for (int i = 0; i < 24; i++) {
      strong.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return s.set(NEW_PASSWORD, strong.toString())
        .set(BREACHED_PASSWORD, BREACHED.get(RANDOM.nextInt(BREACHED.size())));
  }

  /**
   * Stops a user whose account may be left with the temporary password, naming the account
   * (never the password) so that someone resets it.
   */
  private static ChainBuilder exitHereIfFailedWithNote() {
    return exec(s -> {
      if (s.isFailed()) {
        System.err.println("PasswordChange: the password of " + s.getString(Journeys.USERNAME)
            + " may be left changed; reset it before the next run");
      }
      return s;
    }).exitHereIfFailed();
  }
}
