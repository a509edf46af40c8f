package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The login page in a real browser (Debian's headless Chromium): sent there from a protected page,
 * signing in through the plain form and landing on the page asked for. The page's CSP forbids every
 * script, so a form that works here works without JavaScript.
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class LoginPageInChromiumEndToEndTest {
  static final String USER = "grace@e2e.test";
  static final String PASSWORD = "Grace-timesheets-2026";

  @TempDir static Path dir;
  static Vertx vertx;
  static E2eGateway gw;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    Assumptions.assumeTrue(Chromium.installed(), "needs Debian's chromium and chromium-driver (.ci/run installs them)");
    vertx = Vertx.vertx();
    gw = E2eGateway.start(dir.resolve("gateway"), db, vertx, 0, Map.of());
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(20_000).hash(PASSWORD), true);
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw);
  }

  @Test
  void browserIsSentToThePlainLoginFormAndBackToItsPageAfterSigningIn() throws Exception {
    try (Chromium browser = new Chromium(dir.resolve("profile"))) {
      String site = "https://localhost:" + gw.http.port();
      browser.open(site + "/api/timesheets?week=3");
      assertThat(browser.url()).isEqualTo(site + "/login?next=%2Fapi%2Ftimesheets%3Fweek%3D3");
      assertThat(browser.text("label[for=username]")).as("only login names are looked up: an e-mail that is not the login name fails").isEqualTo("Login name");
      assertThat(browser.text("label[for=password]")).isEqualTo("Password");

      browser.type("#username", USER);
      browser.type("#password", "not-" + PASSWORD);
      browser.click("button[type=submit]");
      assertThat(browser.awaitText(".error", t -> !t.isEmpty())).isEqualTo("Invalid login name or password.");

      browser.type("#password", PASSWORD); // the name stayed in its field
      browser.click("button[type=submit]");
      String page = browser.awaitText("body", t -> t.contains("\"user\""));
      assertThat(page).contains("\"user\":\"" + USER + "\"");
      assertThat(browser.url()).isEqualTo(site + "/api/timesheets?week=3");
    }
  }

  /** The page's own style block applies under its Content-Security-Policy, which allows it by hash alone. */
  @Test
  void pageStyleAppliesUnderItsPolicy() throws Exception {
    try (Chromium browser = new Chromium(dir.resolve("profile-style"))) {
      browser.open("https://localhost:" + gw.http.port() + "/login");
      assertThat(browser.awaitText("h1", t -> !t.isEmpty())).isEqualTo("Sign in");
      assertThat(browser.css("main", "background-color")).contains("255, 255, 255");
      assertThat(browser.css("button[type=submit]", "background-color")).contains("31, 95, 191");
    }
  }
  /**
   * A "Sign out" link to /logout (a site's template, a bookmark) showed the browser raw JSON, a 405 that left the
   * user signed in with no way on. It shows the button that signs out, and that button does.
   */
  @Test
  void aSignOutLinkOpenedInTheBrowserShowsTheButtonThatSignsOut() throws Exception {
    try (Chromium browser = new Chromium(dir.resolve("profile-logout"))) {
      String site = "https://localhost:" + gw.http.port();
      browser.open(site + "/api/timesheets");
      browser.type("#username", USER);
      browser.type("#password", PASSWORD);
      browser.click("button[type=submit]");
      browser.awaitText("body", t -> t.contains("\"user\""));

      browser.open(site + "/logout");
      assertThat(browser.awaitText("h1", t -> !t.isEmpty())).isEqualTo("Sign out");
      browser.click("button[type=submit]");
      assertThat(browser.awaitUrl(u -> u.contains("/login?"))).isEqualTo(site + "/login?logged_out=1");
      assertThat(browser.text(".info")).isEqualTo("You have been signed out.");

      browser.open(site + "/api/timesheets");
      assertThat(browser.url()).isEqualTo(site + "/login?next=%2Fapi%2Ftimesheets");
    }
  }
}
