package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.Gateway;
import com.timereg.gateway.edge.TestGateways;
import com.timereg.gateway.session.AuthMethod;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.TestPki;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in headless Chromium as a read-only viewer (a session cookie of a user holding only
 * {@code admin.viewer-role}, on an exposed TLS admin listener): the header says read only, the block and
 * allowlist forms are replaced by a note saying why, and the address view has no unblock button.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class ConsoleViewerBrowserTest {
  @TempDir static Path dir;
  static Gateway gateway;
  static WebDriver browser;
  static String console;
  static String token;
  static String norasToken;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    TestPki pki = new TestPki("viewer console CA");
    TestPki.write(pki.server(), dir.resolve("admin-cert.pem"), dir.resolve("admin-key.pem"));
    long vera;
    long nora;
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO customers (slug, name) VALUES ('acme', 'Acme') ON CONFLICT DO NOTHING");
      try (ResultSet r = s.executeQuery("INSERT INTO users (customer_id, login_name, roles) SELECT id, "
          + "'vera@acme.test', '{user,auditor}' FROM customers WHERE slug = 'acme' RETURNING id")) {
        r.next();
        vera = r.getLong(1);
      }
      try (ResultSet r = s.executeQuery("INSERT INTO users (customer_id, login_name, roles) SELECT id, "
          + "'nora@acme.test', '{user}' FROM customers WHERE slug = 'acme' RETURNING id")) {
        r.next();
        nora = r.getLong(1);
      }
    }
    gateway = Gateway.start(TestGateways.config(dir, db, Map.of(
        "GATEWAY_ADMIN__HOST", "0.0.0.0",
        "GATEWAY_ADMIN__VIEWER_ROLE", "auditor",
        "GATEWAY_ADMIN__TLS__CERT_FILE", dir.resolve("admin-cert.pem").toString(),
        "GATEWAY_ADMIN__TLS__KEY_FILE", dir.resolve("admin-key.pem").toString())));
    Await.await(gateway.blockSync().block("192.0.2.95", Duration.ofHours(1), "staff blocked it", "sam"));
    token = Await.await(gateway.sessions().issue(vera, "acme", "vera@acme.test", AuthMethod.PASSWORD))
        .accessToken();
    norasToken = Await.await(gateway.sessions().issue(nora, "acme", "nora@acme.test", AuthMethod.PASSWORD))
        .accessToken();
    // The test CA is not in the browser's trust store; the certificate is not what this test is about.
    browser = ConsoleBrowserTest.chromium(dir.resolve("chromium-profile"), null, "--ignore-certificate-errors");
    console = "https://127.0.0.1:" + gateway.adminPort() + "/admin/";
    browser.get(console + "console.css");
    browser.manage().addCookie(new Cookie.Builder("__Host-gw-access", token).path("/").isSecure(true).build());
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (gateway != null) {
      gateway.stop();
    }
  }

  @BeforeEach
  void blankPage() {
    // A fresh page per test: the hash alone would not reload the script's state (who is signed in).
    browser.get("about:blank");
  }

  private static WebDriverWait waiting() {
    return new WebDriverWait(browser, Duration.ofSeconds(10));
  }

  @Test
  void aViewerSeesNoEditControlsAndIsToldWhy() {
    browser.get(console + "#edit");
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "read only"));
    assertThat(browser.findElement(By.id("who")).getText()).contains("vera@acme.test");
    waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("edit-read-only")));
    assertThat(browser.findElement(By.id("block-form")).isDisplayed()).isFalse();
    assertThat(browser.findElement(By.id("allow-form")).isDisplayed()).isFalse();

    browser.get(console + "#address/192.0.2.95");
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("explain-verdict"), "lock"));
    assertThat(browser.findElements(By.id("unblock-address"))).allSatisfy(b -> assertThat(b.isDisplayed()).isFalse());
  }

  @Test
  void aSessionEndingMidUseIsSaidInTheHeaderWithAWayToSignInAgain() {
    browser.get(console + "#blocks");
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "Signed in as vera@acme.test"));
    // The access token expires while the page is open (it is not refreshed on the admin listener): the API
    // answers 401 from now on.
    browser.manage().deleteCookieNamed("__Host-gw-access");
    browser.manage().addCookie(new Cookie.Builder("__Host-gw-access", "expired." + token.substring(8)).path("/")
        .isSecure(true).build());
    try {
      browser.findElement(By.id("nav-events")).click();
      waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Not signed in"));
      String who = browser.findElement(By.id("who")).getText();
      assertThat(who).doesNotContain("Signed in as").contains("session has ended");
      assertThat(browser.findElement(By.id("sign-in-again")).isDisplayed()).isTrue();
    } finally {
      browser.manage().deleteCookieNamed("__Host-gw-access");
      browser.manage().addCookie(new Cookie.Builder("__Host-gw-access", token).path("/").isSecure(true).build());
    }
  }

  @Test
  void someoneSignedInWithoutEitherRoleIsToldWhoTheyAreAndWhichRoleIsNeeded() {
    // A valid session of a user holding neither role: whoami answers 403. Signing in again cannot help, so the
    // header must not say "Not signed in" but who they are signed in as and what access needs.
    browser.get(console + "console.css");
    browser.manage().deleteCookieNamed("__Host-gw-access");
    browser.manage().addCookie(new Cookie.Builder("__Host-gw-access", norasToken).path("/").isSecure(true).build());
    try {
      browser.get(console + "#blocks");
      waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "nora@acme.test"));
      assertThat(browser.findElement(By.id("who")).getText()).doesNotContain("Not signed in")
          .contains("Signed in as nora@acme.test without access").contains("security role")
          .contains("auditor role");
      assertThat(browser.findElements(By.id("sign-in-again"))).isEmpty();
    } finally {
      browser.manage().deleteCookieNamed("__Host-gw-access");
      browser.manage().addCookie(new Cookie.Builder("__Host-gw-access", token).path("/").isSecure(true).build());
    }
  }

  @Test
  void aRoleThatCannotBeCheckedIsNotCalledNotSignedIn(TestDatabase db) throws Exception {
    db.stopServer();
    try {
      browser.get(console + "#allowlist");
      // The token is valid; only the role lookup fails (503 with Retry-After): signing in again cannot help.
      waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "cannot be checked"));
      assertThat(browser.findElement(By.id("who")).getText()).doesNotContain("Not signed in")
          .contains("cannot be checked right now");
    } finally {
      db.startServer();
    }
  }
  @Test
  void aRoleTakenAwayMidUseIsSaidInTheHeader(TestDatabase db) throws Exception {
    browser.get(console + "#blocks");
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "Signed in as vera@acme.test"));
    // Roles are read at every request: from now on the API refuses her (403), while the page is still open.
    setRoles(db, "{user}");
    try {
      browser.findElement(By.id("nav-events")).click();
      waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "does not have"));
      waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "without access"));
      assertThat(browser.findElement(By.id("who")).getText()).contains("Signed in as vera@acme.test without access")
          .doesNotContain("read only");
    } finally {
      setRoles(db, "{user,auditor}");
    }
  }

  private static void setRoles(TestDatabase db, String roles) throws Exception {
    try (Connection c = db.openJdbc(); java.sql.PreparedStatement s = c.prepareStatement(
        "UPDATE users SET roles = ?::text[] WHERE login_name = 'vera@acme.test'")) {
      s.setString(1, roles);
      assertThat(s.executeUpdate()).isEqualTo(1);
    }
  }
}
