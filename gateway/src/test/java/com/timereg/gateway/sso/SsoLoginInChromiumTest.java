package com.timereg.gateway.sso;

import static com.timereg.gateway.sso.SsoTestBed.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.Chromium;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The login form's "Sign in with Microsoft" button in a real browser (Debian's headless Chromium):
 * the form posts to home-realm discovery, which redirects to the provider. Chromium applies the
 * login page's {@code form-action} to every redirect of that form submission, so the provider must
 * be allowed there; an HTTP client following redirects by hand ({@link SsoLoginTest}) cannot see this.
 */
@ExtendWith(PostgresExtension.class)
class SsoLoginInChromiumTest {
  @TempDir static Path dir;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    Assumptions.assumeTrue(Chromium.installed(), "needs Debian's chromium and chromium-driver (.ci/run installs them)");
    SsoTestBed.start(db, dir);
  }

  @AfterAll
  static void stop() {
    SsoTestBed.stop();
  }

  @Test
  void signInWithMicrosoftButtonReachesTheProviderAndSignsIn() throws Exception {
    provider.enqueueCallback(identity(REQ_TENANT, "oid-rita", java.util.Map.of()));
    try (Chromium browser = new Chromium(dir.resolve("profile"))) {
      String site = "https://localhost:" + gateway.publicPort();
      browser.open(site + "/login?next=%2Fapi%2Fme");
      browser.type("#username", "rita@reqco.example");
      browser.click("#sso-button");
      String page;
      try {
        page = browser.awaitText("body", t -> t.contains("\"user\""));
      } catch (AssertionError notThere) {
        page = browser.text("body");
      }
      assertThat(browser.url()).as("page: %s", page).isEqualTo(site + "/api/me");
      assertThat(page).contains("\"user\":\"rita@reqco.example\"").contains("\"method\":\"sso\"");
    }
  }
}
