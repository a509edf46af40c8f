package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.GatewayClient.Reply;
import com.timereg.gateway.login.Csrf;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.session.SessionCookies;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Map.Entry;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Password login through the whole gateway (TLS listener, PostgreSQL, verification pool, sessions,
 * proxy to the demo backend): hashes made by Django's own algorithm in Python, rehash on login, and
 * answers that do not tell whether a name exists.
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class PasswordLoginEndToEndTest {
  private static final Logger LOG = LoggerFactory.getLogger(PasswordLoginEndToEndTest.class);
  /** Low for speed, high enough that PBKDF2 dominates a login's cost (about 10 ms). */
  static final int ITERATIONS = 100_000;
  static final DjangoPbkdf2Hasher HASHER = new DjangoPbkdf2Hasher(ITERATIONS);

  @TempDir static Path dir;
  static Vertx vertx;
  static E2eGateway gw;
  static E2eUsers users;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    gw = E2eGateway.start(dir, db, vertx, 0, Map.of("GATEWAY_PASSWORD__ITERATIONS", Integer.toString(ITERATIONS)));
    users = new E2eUsers(db);
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw);
  }

  /** A row of gateway/src/test/resources/password/django_pbkdf2_fixtures.tsv (made by Python's hashlib). */
  record Fixture(String password, String hash, String note) {}

  static List<Fixture> fixtures() throws IOException {
    List<Fixture> out = new ArrayList<>();
    try (InputStream in = PasswordLoginEndToEndTest.class.getResourceAsStream("/password/django_pbkdf2_fixtures.tsv")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t", -1);
        out.add(new Fixture(new String(HexFormat.of().parseHex(f[0]), StandardCharsets.UTF_8), f[1], f[2]));
      }
    }
    return out;
  }

  @Test
  void hashesMadeByDjangosAlgorithmInPythonLogInAndWrongPasswordsDoNot() throws Exception {
    List<Fixture> fixtures = fixtures();
    assertThat(fixtures).hasSizeGreaterThan(10);
    SoftAssertions soft = new SoftAssertions();
    int n = 0;
    for (Fixture f : fixtures) {
      String login = "django-" + (n++) + "@e2e.test";
      users.create(login, f.hash(), true);
      Reply right = gw.tokenLogin(login, f.password());
      Reply wrong = gw.tokenLogin(login, f.password() + "x");
      if (f.password().isEmpty()) {
        // The gateway refuses an empty password before looking at any hash, as Django's form does.
        soft.assertThat(right.status()).as("%s: empty password", f.note()).isEqualTo(401);
      } else {
        soft.assertThat(right.status()).as("%s: right password", f.note()).isEqualTo(200);
        soft.assertThat(right.body()).as(f.note()).contains("\"access_token\"").contains("\"refresh_token\"");
      }
      soft.assertThat(wrong.status()).as("%s: wrong password", f.note()).isEqualTo(401);
      soft.assertThat(wrong.json().getString("error")).as(f.note()).isEqualTo("invalid_grant");
    }
    soft.assertAll();
  }

  @Test
  void storedHashBelowTheConfiguredCountIsUpgradedAfterLoginAndStillLogsIn() throws Exception {
    Fixture weak = fixtures().stream().filter(f -> f.note().equals("ascii, low count")).findFirst().orElseThrow();
    assertThat(weak.hash()).startsWith("pbkdf2_sha256$1000$");
    users.create("upgrade@e2e.test", weak.hash(), true);

    Reply first = gw.tokenLogin("upgrade@e2e.test", weak.password());
    assertThat(first.status()).isEqualTo(200);
    // The rehash runs after the answer, on the verification pool: poll the table, bounded.
    gw.http.await(() -> gw.http.until(Duration.ofSeconds(5), () -> vertx.executeBlocking(
        () -> users.passwordHash("upgrade@e2e.test").startsWith("pbkdf2_sha256$" + ITERATIONS + "$"))));

    String upgraded = users.passwordHash("upgrade@e2e.test");
    assertThat(upgraded).isNotEqualTo(weak.hash());
    assertThat(DjangoPbkdf2Hasher.verify(weak.password(), upgraded).matches()).isTrue();
    assertThat(gw.tokenLogin("upgrade@e2e.test", weak.password()).status()).isEqualTo(200);
    assertThat(gw.tokenLogin("upgrade@e2e.test", "Password").status()).isEqualTo(401);
    assertThat(users.passwordHash("upgrade@e2e.test")).as("a hash at the configured count stays").isEqualTo(upgraded);
    // The same password under a stronger hash is no password change: the session of the login that upgraded it
    // (and any other) is still refreshed.
    assertThat(gw.http.postJson("/auth/refresh",
        new JsonObject().put("refresh_token", first.json().getString("refresh_token"))).status()).isEqualTo(200);
  }

  /**
   * A hash above the configured count (a newer Django's default, 1,000,000 in 5.2, against our 600,000) is kept, but
   * its users answer more slowly than unknown names, whose dummy verification runs at the configured count: timing
   * tells the names apart. Nothing said so; the first such login now WARNs, naming the setting that closes the gap.
   */
  @Test
  void aStoredHashAboveTheConfiguredCountIsKeptAndTheOperatorIsToldOnceOfTheTimingGap() throws Exception {
    String password = "Tidsregistrering-strong-2026";
    // Above every count of the fixtures other tests here log in with (the warning is said once per higher count).
    int count = 700_000;
    String strong = DjangoPbkdf2Hasher.encode(password, "AbCdEfGhIjKlMnOpQrStUv", count);
    users.create("strong@e2e.test", strong, true);
    try (com.timereg.gateway.testsupport.CapturedLogs logs = com.timereg.gateway.testsupport.CapturedLogs.atDebug()) {
      assertThat(gw.tokenLogin("strong@e2e.test", password).status()).isEqualTo(200);
      assertThat(gw.tokenLogin("strong@e2e.test", password).status()).isEqualTo(200);
      java.util.List<String> warned = logs.lines().stream().filter(l -> l.contains("password.iterations")).toList();
      assertThat(warned).hasSize(1);
      assertThat(warned.get(0)).contains(String.valueOf(count)).contains(String.valueOf(ITERATIONS))
          .doesNotContain(password).doesNotContain(strong);
    }
    assertThat(users.passwordHash("strong@e2e.test")).as("never weakened").isEqualTo(strong);
  }

  @Test
  void unknownUserWrongPasswordAndInactiveUserGetByteIdenticalAnswers() throws Exception {
    String name = "probe@e2e.test";
    String password = "Tidsregistrering-probe-2026";
    String csrf = gw.csrfToken();

    Reply unknownJson = gw.tokenLogin(name, "Wrong-guess-17");
    Reply unknownForm = gw.formLogin(csrf, name, "Wrong-guess-17", "/");
    // The same name in all three states, so even the name echoed into the form is the same.
    users.create(name, HASHER.hash(password), true);
    Reply wrongJson = gw.tokenLogin(name, "Wrong-guess-17");
    Reply wrongForm = gw.formLogin(csrf, name, "Wrong-guess-17", "/");
    users.setActive(name, false);
    Reply inactiveJson = gw.tokenLogin(name, password);
    Reply inactiveForm = gw.formLogin(csrf, name, password, "/");

    assertThat(unknownJson.status()).isEqualTo(401);
    assertThat(unknownJson.json().getString("error")).isEqualTo("invalid_grant");
    assertThat(unknownForm.status()).isEqualTo(401);
    assertThat(unknownForm.body()).contains("Invalid login name or password.");
    for (Reply r : List.of(wrongJson, inactiveJson)) {
      assertThat(r.status()).isEqualTo(unknownJson.status());
      assertThat(r.body().getBytes(StandardCharsets.UTF_8)).isEqualTo(unknownJson.body().getBytes(StandardCharsets.UTF_8));
      assertThat(headerLines(r)).isEqualTo(headerLines(unknownJson));
    }
    for (Reply r : List.of(wrongForm, inactiveForm)) {
      assertThat(r.status()).isEqualTo(unknownForm.status());
      assertThat(r.body().getBytes(StandardCharsets.UTF_8)).isEqualTo(unknownForm.body().getBytes(StandardCharsets.UTF_8));
      assertThat(headerLines(r)).isEqualTo(headerLines(unknownForm));
    }
    assertThat(unknownForm.headers().getAll("Set-Cookie")).isEmpty();
    // The control: the same requests tell an active user with the right password apart.
    users.setActive(name, true);
    assertThat(gw.tokenLogin(name, password).status()).isEqualTo(200);
  }

  /**
   * Not a speed test: whether the three kinds of failure can be told apart by their timing. Samples
   * are interleaved so that machine load falls on all three alike, and the bounds are generous.
   * Other builds share this machine, and a burst of their load can still land on one kind's
   * samples; so up to three independent measurements are taken, and one that overlaps is enough.
   * A real difference (a path that skips PBKDF2 answers in a fraction of the time) fails all three.
   */
  @Test
  void unknownUserWrongPasswordAndInactiveUserTakeOverlappingTimes() throws Exception {
    users.create("timing-wrong@e2e.test", HASHER.hash("Timing-right-password-1"), true);
    users.create("timing-inactive@e2e.test", HASHER.hash("Timing-right-password-2"), false);
    List<String[]> kinds = List.of(
        new String[] {"timing-unknown@e2e.test", "Timing-guess"},
        new String[] {"timing-wrong@e2e.test", "Timing-guess"},
        new String[] {"timing-inactive@e2e.test", "Timing-right-password-2"});
    sample(kinds, 5); // warm-up: connections, JIT
    List<String> attempts = new ArrayList<>();
    for (int attempt = 0; attempt < 3; attempt++) {
      List<Quartiles> q = sample(kinds, 30).stream().map(Quartiles::of).toList();
      String summary = "unknown " + q.get(0) + ", wrong password " + q.get(1) + ", inactive " + q.get(2);
      LOG.info("login failure times (q1 median q3): {}", summary);
      Optional<String> apart = apart(q);
      if (apart.isEmpty()) {
        return;
      }
      attempts.add(summary + ": " + apart.get());
    }
    throw new AssertionError("the kinds of login failure are told apart by their timing in every measurement: " + attempts);
  }

  /** Response times per kind, {@code rounds} of each, the order rotating each round. */
  private static List<List<Long>> sample(List<String[]> kinds, int rounds) {
    List<List<Long>> times = kinds.stream().map(k -> (List<Long>) new ArrayList<Long>()).toList();
    for (int round = 0; round < rounds; round++) {
      for (int k = 0; k < kinds.size(); k++) {
        int kind = (round + k) % kinds.size(); // so that no kind always follows the same other
        Reply r = gw.tokenLogin(kinds.get(kind)[0], kinds.get(kind)[1]);
        assertThat(r.status()).isEqualTo(401);
        times.get(kind).add(r.nanos());
      }
    }
    return times;
  }

  /** Why two of the distributions do not overlap, or empty when they all do. */
  private static Optional<String> apart(List<Quartiles> q) {
    for (Quartiles a : q) {
      for (Quartiles b : q) {
        if (a.median() > 2 * b.median()) {
          return Optional.of("median " + a + " more than twice " + b);
        }
        if (!b.widenedIqrContains(a.median())) {
          return Optional.of("median " + a + " outside the widened IQR of " + b);
        }
      }
    }
    return Optional.empty();
  }

  /** Median and quartiles in nanoseconds. */
  record Quartiles(long q1, long median, long q3) {
    static Quartiles of(List<Long> values) {
      List<Long> s = values.stream().sorted().toList();
      return new Quartiles(at(s, 0.25), at(s, 0.5), at(s, 0.75));
    }

    private static long at(List<Long> sorted, double p) {
      double pos = p * (sorted.size() - 1);
      int lo = (int) Math.floor(pos);
      int hi = Math.min(lo + 1, sorted.size() - 1);
      return Math.round(sorted.get(lo) + (pos - lo) * (sorted.get(hi) - sorted.get(lo)));
    }

    /** The interquartile range widened by half its width (a quarter on each side). */
    boolean widenedIqrContains(long value) {
      long margin = (q3 - q1) / 4;
      return value >= q1 - margin && value <= q3 + margin;
    }

    @Override
    public String toString() {
      return String.format("[%.1f %.1f %.1f ms]", q1 / 1e6, median / 1e6, q3 / 1e6);
    }
  }

  @Test
  void browserWithoutSessionIsSentToLoginAndComesBackToItsPage() throws Exception {
    Reply first = gw.http.get("/api/timesheets?week=3", "Accept", "text/html,application/xhtml+xml");
    assertThat(first.status()).isEqualTo(302);
    assertThat(first.header("Location")).isEqualTo("/login?next=%2Fapi%2Ftimesheets%3Fweek%3D3");

    Reply page = gw.http.get(first.header("Location"), "Accept", "text/html");
    assertThat(page.status()).isEqualTo(200);
    String csrf = E2eGateway.hiddenField(page.body(), Csrf.FIELD);
    String next = E2eGateway.hiddenField(page.body(), "next");
    assertThat(next).isEqualTo("/api/timesheets?week=3");

    users.create("navigator@e2e.test", HASHER.hash("Navigator-password-9"), true);
    Reply login = gw.formLogin(csrf, "navigator@e2e.test", "Navigator-password-9", next);
    assertThat(login.status()).isEqualTo(303);
    assertThat(login.header("Location")).isEqualTo("/api/timesheets?week=3");

    Reply back = gw.http.get(login.header("Location"), "Accept", "text/html", "Cookie", E2eGateway.sessionCookies(login));
    assertThat(back.status()).isEqualTo(200);
    assertThat(back.json().getString("user")).isEqualTo("navigator@e2e.test");
  }

  @Test
  void apiClientWithoutSessionGets401WithBearerChallenge() {
    for (String accept : new String[] {"application/json", "*/*"}) {
      Reply r = gw.http.get("/api/timesheets?week=3", "Accept", accept);
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
      assertThat(r.header("Content-Type")).startsWith("application/json");
      assertThat(r.json().getString("error")).isEqualTo("unauthorized");
      assertThat(r.header("Location")).isNull();
    }
    // A browser's form post is no page load: no redirect that would lose its body.
    Reply post = gw.http.postForm("/api/timesheets", Map.of("hours", "7.5"), "Accept", "text/html");
    assertThat(post.status()).isEqualTo(401);
    Reply forged = gw.http.get("/api/timesheets", "Accept", "application/json", "Cookie",
        SessionCookies.ACCESS + "=not-a-token");
    assertThat(forged.status()).isEqualTo(401);
    assertThat(forged.header("WWW-Authenticate")).startsWith("Bearer").contains("invalid_token");
  }

  private static List<String> headerLines(Reply r) {
    return r.headers().entries().stream().map(Entry::toString).sorted().toList();
  }
}
