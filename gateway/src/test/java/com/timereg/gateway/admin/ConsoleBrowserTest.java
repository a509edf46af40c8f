package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.Gateway;
import com.timereg.gateway.edge.TestGateways;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.throttle.FailureKind;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.File;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in Debian's headless Chromium against a real gateway: find a blocked address in the
 * list, open its explanation, unblock it through the confirmation, see it gone. The list page's
 * screenshot is kept in target/screenshots/.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class ConsoleBrowserTest {
  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  static final Path SCREENSHOTS = Path.of("target", "screenshots");

  @TempDir static Path dir;
  static Gateway gateway;
  static AdminHttp api;
  static WebDriver browser;
  static String console;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    assertThat(new File(CHROMIUM).canExecute()).as("Debian's chromium at " + CHROMIUM
        + " (apt-get install chromium chromium-driver; .ci/run does)").isTrue();
    assertThat(new File(CHROMEDRIVER).canExecute()).as("Debian's chromium-driver at " + CHROMEDRIVER).isTrue();
    gateway = Gateway.start(TestGateways.config(dir, db, Map.of()));
    api = new AdminHttp(gateway.adminPort());
    console = "http://127.0.0.1:" + gateway.adminPort() + "/admin/";
    for (String a : List.of("192.0.2.90", "192.0.2.91")) {
      for (int i = 0; i < 10; i++) {
        gateway.throttle().recordFailure(InetAddress.getByName(a), null, FailureKind.WRONG_PASSWORD);
      }
    }
    assertThat(api.post("/admin/api/blocks", new JsonObject().put("target", "203.0.113.0/24").put("duration", "4h")
        .put("reason", "SEC-42 credential stuffing from this range")).status()).isEqualTo(201);
    AdminHttp.eventually(Duration.ofSeconds(10), "automatic blocks written",
        () -> api.get("/admin/api/blocks?active=true").json().getLong("total") == 3);
    browser = chromium(dir.resolve("chromium-profile"));
  }

  static WebDriver chromium(Path profile) throws Exception {
    return chromium(profile, null);
  }

  /**
   * Headless Chromium for the console's browser tests: {@code zone} its time zone ({@code TZ}; null: the machine's),
   * {@code more} further arguments.
   */
  static WebDriver chromium(Path profile, String zone, String... more) throws Exception {
    Files.createDirectories(profile);
    // The driver is named explicitly so that Selenium Manager never tries to download one.
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
    ChromeDriverService.Builder service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort();
    if (zone != null) {
      service.withEnvironment(Map.of("TZ", zone));
    }
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments(
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        "--window-size=1366,900", "--user-data-dir=" + profile.toAbsolutePath()).addArguments(more);
    return new ChromeDriver(service.build(), options);
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

  private static WebDriverWait waiting() {
    return new WebDriverWait(browser, Duration.ofSeconds(10));
  }

  private static By row(String cidr) {
    return By.cssSelector("#blocks-table tbody tr[data-cidr='" + cidr + "']");
  }

  private static void screenshot(String name) throws Exception {
    Files.createDirectories(SCREENSHOTS);
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void unblocksAnAddressFoundInTheListAfterConfirmation() throws Exception {
    browser.get(console);
    waiting().until(ExpectedConditions.presenceOfElementLocated(row("192.0.2.90/32")));
    assertThat(browser.findElement(By.id("who")).getText()).contains("local");
    assertThat(browser.findElements(By.cssSelector("#blocks-table tbody tr"))).hasSize(3);
    assertThat(browser.findElement(row("203.0.113.0/24")).getText()).contains("SEC-42").contains("local");
    screenshot("console-blocks.png");

    browser.findElement(By.cssSelector("a[data-cidr='192.0.2.90/32']")).click();
    WebElement verdict = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("explain-verdict")));
    waiting().until(ExpectedConditions.textToBePresentInElement(verdict, "BLOCKED"));
    assertThat(verdict.getText()).contains("192.0.2.90 is BLOCKED by its own block 192.0.2.90/32");
    assertThat(browser.findElement(By.id("explain-counters")).getText()).contains("client 192.0.2.90/32").contains("range 192.0.2.0/24");
    screenshot("console-address.png");

    // The confirmation really guards the action: cancelling leaves the block in place.
    browser.findElement(By.id("unblock-address")).click();
    WebElement dialog = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-dialog")));
    assertThat(dialog.getText()).contains("Unblock 192.0.2.90?");
    browser.findElement(By.id("confirm-cancel")).click();
    waiting().until(ExpectedConditions.invisibilityOf(dialog));
    assertThat(api.get("/admin/api/explain/192.0.2.90").json().getBoolean("blocked")).isTrue();

    browser.findElement(By.id("unblock-address")).click();
    waiting().until(ExpectedConditions.visibilityOf(dialog));
    browser.findElement(By.id("confirm-reason")).sendKeys("customer called, verified");
    browser.findElement(By.id("confirm-ok")).click();
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Unblocked 192.0.2.90/32"));
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("explain-verdict"), "is not blocked"));

    browser.findElement(By.id("nav-blocks")).click();
    waiting().until(ExpectedConditions.presenceOfElementLocated(row("192.0.2.91/32")));
    waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#blocks-table tbody tr"), 2));
    assertThat(browser.findElements(row("192.0.2.90/32"))).isEmpty();
    JsonObject ended = api.get("/admin/api/blocks?q=192.0.2.90").json().getJsonArray("items").getJsonObject(0);
    assertThat(ended.getString("liftedBy")).isEqualTo("local");
    assertThat(ended.getString("liftReason")).isEqualTo("customer called, verified");
  }

  @Test
  void manualBlockFormAddsToTheListAndEveryControlHasALabel() {
    browser.get(console + "#edit");
    WebElement target = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("block-target")));
    Object unlabelled = ((JavascriptExecutor) browser).executeScript(
        "return [...document.querySelectorAll('input, select')].filter(e => e.labels.length === 0).map(e => e.id);");
    assertThat((List<?>) unlabelled).isEmpty();
    target.sendKeys("198.51.100.0/28");
    WebElement duration = browser.findElement(By.id("block-duration"));
    duration.clear();
    duration.sendKeys("-5m");
    browser.findElement(By.id("block-reason")).sendKeys("browser test");
    browser.findElement(By.id("block-submit")).click();
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "duration must be positive"));
    duration.clear();
    duration.sendKeys("45m");
    browser.findElement(By.id("block-submit")).click();
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Blocked 198.51.100.0/28"));

    browser.findElement(By.id("nav-blocks")).click();
    WebElement q = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("filter-q")));
    q.clear();
    q.sendKeys("198.51.100.5");
    browser.findElement(By.id("filter-apply")).click();
    // The unfiltered list shown on arriving holds the block too: wait for the filtered one to replace it.
    waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#blocks-table tbody tr"), 1));
    waiting().until(ExpectedConditions.presenceOfElementLocated(row("198.51.100.0/28")));
    assertThat(browser.findElements(By.cssSelector("#blocks-table tbody tr"))).hasSize(1);
    q.clear();
    browser.findElement(By.id("filter-apply")).click();
  }

  /** The allowlist wins over blocks: a block made inside an allowlisted range says it is not enforced there. */
  @Test
  void aBlockInsideAnAllowlistedRangeSaysItIsNotEnforced() {
    assertThat(api.post("/admin/api/allowlist", new JsonObject().put("target", "198.18.7.0/24")
        .put("note", "branch office")).status()).isEqualTo(201);
    browser.get(console + "#edit");
    WebElement target = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("block-target")));
    target.sendKeys("198.18.7.9");
    WebElement duration = browser.findElement(By.id("block-duration"));
    duration.clear();
    duration.sendKeys("45m");
    browser.findElement(By.id("block-reason")).sendKeys("browser test");
    browser.findElement(By.id("block-submit")).click();
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Blocked 198.18.7.9/32"));
    WebElement message = browser.findElement(By.id("message"));
    assertThat(message.getText())
        .contains("Not enforced within 198.18.7.0/24 (branch office): allowlisted, and the allowlist wins over blocks.");
    assertThat(message.getAttribute("class")).contains("warn");
  }

  @Test
  void anAllowlistedAddressSaysItsManualBlockIsNotEnforced() {
    assertThat(api.post("/admin/api/allowlist", new JsonObject().put("target", "198.18.8.0/24")
        .put("note", "head office")).status()).isEqualTo(201);
    assertThat(api.post("/admin/api/blocks", new JsonObject().put("target", "198.18.8.9").put("duration", "45m")
        .put("reason", "SEC-43 by mistake")).status()).isEqualTo(201);
    try {
      browser.get(console + "#address/198.18.8.9");
      WebElement verdict = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("explain-verdict")));
      waiting().until(ExpectedConditions.textToBePresentInElement(verdict, "allowlisted"));
      // The block list below shows the manual block as active: the verdict must say which of the two holds.
      assertThat(verdict.getText()).contains("198.18.8.9 is allowlisted by 198.18.8.0/24 (head office): never blocked.")
          .containsPattern("The manual block 198\\.18\\.8\\.9/32 until .* \\(SEC-43 by mistake, by local\\) is not "
              + "enforced: the allowlist wins over blocks\\.");
    } finally {
      // The other tests count the active blocks they made.
      api.post("/admin/api/unblock", new JsonObject().put("target", "198.18.8.9").put("reason", "test done"));
    }
  }

  @Test
  void anIpv6AddressShowsTheLoginsOfTheClientPrefixItIsCountedUnder() throws Exception {
    // Counted and blocked per /64 (docs/throttle.md): the failures that block ::5 may come from ::7.
    gateway.securityEvents().loginFailed(InetAddress.getByName("2001:db8:9::7"), null, FailureKind.UNKNOWN_USER);
    browser.get(console + "#address/2001:db8:9::5");
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#explain-logins tbody"),
        "2001:db8:9::7"));
    assertThat(browser.findElement(By.id("explain-logins-caption")).getText()).contains("2001:db8:9::/64");
    assertThat(browser.findElement(By.cssSelector("#explain-logins tbody")).getText()).contains("failed");
  }

  @Test
  void anIpv6AddressShowsTheAuditTrailOfTheClientPrefixItIsCountedUnder() throws Exception {
    // An unblock naming ::7 lifts the block of the /64 ::5 is blocked under: explaining ::5 must show it.
    assertThat(api.post("/admin/api/unblock", new JsonObject().put("target", "2001:db8:a::7")
        .put("reason", "SEC-44 same office")).status()).isEqualTo(200);
    browser.get(console + "#address/2001:db8:a::5");
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#explain-events tbody"),
        "2001:db8:a::7/128"));
    assertThat(browser.findElement(By.cssSelector("#explain-events tbody")).getText()).contains("SEC-44 same office");
    assertThat(browser.findElement(By.id("explain-events-caption")).getText()).contains("2001:db8:a::/64");
    assertThat(browser.findElement(By.id("explain-blocks-caption")).getText()).contains("2001:db8:a::/64");
  }
  /**
   * The audit trail says what each edit did, not only its note: a block shortened to 30 minutes by replacing a 2-hour
   * one and the unblock after it showed as "block … SEC-51 shortened" and "unblock … SEC-51 done", with no expiry, no
   * word of the replacement and no lifted block, which the API's details hold. Leaves no block active.
   */
  @Test
  void theAuditTrailSaysWhatEachEditDid() {
    for (String[] b : new String[][] {{"2h", "SEC-51 first"}, {"30m", "SEC-51 shortened"}}) {
      assertThat(api.post("/admin/api/blocks", new JsonObject().put("target", "198.51.100.77").put("duration", b[0])
          .put("reason", b[1])).status()).isEqualTo(201);
    }
    JsonObject unblocked = api.post("/admin/api/unblock", new JsonObject().put("target", "198.51.100.77")
        .put("reason", "SEC-51 done")).json();
    assertThat(unblocked.getJsonArray("lifted")).hasSize(1);
    for (String view : List.of("#events", "#address/198.51.100.77")) {
      browser.get(console + view);
      By table = By.cssSelector(view.equals("#events") ? "#events-table tbody" : "#explain-events tbody");
      waiting().until(ExpectedConditions.textToBePresentInElementLocated(table, "SEC-51 done"));
      List<String> rows = browser.findElement(table).findElements(By.tagName("tr")).stream()
          .map(org.openqa.selenium.WebElement::getText).filter(t -> t.contains("SEC-51")).toList();
      assertThat(rows).as(view).hasSize(3);
      assertThat(rows.get(0)).as(view).contains("SEC-51 done").contains("lifted 198.51.100.77/32 (manual, was until ");
      assertThat(rows.get(1)).as(view).contains("SEC-51 shortened").contains("until ")
          .contains("replaced the active manual block of the same range");
      assertThat(rows.get(2)).as(view).contains("SEC-51 first").contains("until ").doesNotContain("replaced");
    }
  }
}
