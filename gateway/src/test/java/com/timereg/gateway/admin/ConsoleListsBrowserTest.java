package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.Gateway;
import com.timereg.gateway.edge.TestGateways;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's lists in Debian's headless Chromium when they are longer than a page: the allowlist beyond the
 * API's page, paging the block list after editing the filter, an IPv6 /32 range beside an address of its network,
 * a filter too long for the listener, long reasons, the time zone of the times shown, and the confirmation dialog
 * used from the keyboard. Chromium runs in Asia/Kathmandu (UTC+05:45), a zone no test machine is in by accident.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class ConsoleListsBrowserTest {
  static final String ZONE = "Asia/Kathmandu";
  static final int MANUAL_BLOCKS = 55;
  static final int CONFIGURED_ALLOWLIST = 501;

  @TempDir static Path dir;
  static Gateway gateway;
  static AdminHttp api;
  static WebDriver browser;
  static String console;
  static long activeBlocks;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    List<String> allow = new ArrayList<>();
    for (int i = 0; i < CONFIGURED_ALLOWLIST; i++) {
      allow.add("10.200." + (i / 200) + "." + (i % 200) + "/32");
    }
    gateway = Gateway.start(TestGateways.config(dir, db, Map.of("GATEWAY_THROTTLE__ALLOWLIST", String.join(",", allow))));
    api = new AdminHttp(gateway.adminPort());
    console = "http://127.0.0.1:" + gateway.adminPort() + "/admin/";
    for (int i = 1; i <= MANUAL_BLOCKS; i++) {
      block("198.18.0." + i, "4h", "bulk " + i);
    }
    // Expiring soonest, so on the first page of the list sorted by expiry.
    block("2001:db8::/32", "20m", "SEC-7 an IPv6 range");
    block("2001:db8::", "20m", "SEC-7 an address of that range");
    block("198.18.1.1", "20m", "SEC-8-" + "x".repeat(480));
    activeBlocks = api.get("/admin/api/blocks?active=true&limit=1").json().getLong("total");
    assertThat(activeBlocks).isEqualTo(MANUAL_BLOCKS + 3);
    browser = ConsoleBrowserTest.chromium(dir.resolve("chromium-profile"), ZONE);
  }

  private static void block(String target, String duration, String reason) {
    assertThat(api.post("/admin/api/blocks", new JsonObject().put("target", target).put("duration", duration)
        .put("reason", reason)).status()).as(target).isEqualTo(201);
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
    // A fresh page per test: the hash alone would not reload the script's state.
    browser.get("about:blank");
  }

  private static WebDriverWait waiting() {
    return new WebDriverWait(browser, Duration.ofSeconds(10));
  }

  private static Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
  }

  private static void firstBlocksPage() {
    activeBlocks = api.get("/admin/api/blocks?active=true&limit=1").json().getLong("total");
    browser.get(console + "#blocks");
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("blocks-range"),
        "1–50 of " + activeBlocks));
  }

  @Test
  void theAllowlistSaysHowManyEntriesThereAreAndPagesToTheLast() {
    browser.get(console + "#allowlist");
    waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#allowlist-table tbody tr span.mono")));
    String view = browser.findElement(By.id("view-allowlist")).getText();
    // 501 entries, more than the API gives in one answer: the view must not look complete when it is not.
    assertThat(view).contains("of " + CONFIGURED_ALLOWLIST);
    int shown = 0;
    for (int page = 0; page < 20; page++) {
      shown += browser.findElements(By.cssSelector("#allowlist-table tbody tr")).size();
      WebElement next = browser.findElement(By.id("allowlist-next"));
      if (!next.isEnabled()) {
        break;
      }
      String before = browser.findElement(By.id("allowlist-range")).getText();
      next.click();
      waiting().until(d -> !d.findElement(By.id("allowlist-range")).getText().equals(before));
    }
    assertThat(shown).isEqualTo(CONFIGURED_ALLOWLIST);
    assertThat(browser.findElement(By.id("allowlist-range")).getText())
        .isEqualTo(CONFIGURED_ALLOWLIST + "–" + CONFIGURED_ALLOWLIST + " of " + CONFIGURED_ALLOWLIST);
  }

  @Test
  void nextPageContinuesTheShownListNotAFilterTypedButNotSearched() {
    firstBlocksPage();
    // Typed, not submitted: the page shown is still the unfiltered list, and its next page is what "Next" means.
    browser.findElement(By.id("filter-q")).sendKeys("198.18.0.7");
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("filter-kind"))).selectByValue("automatic");
    browser.findElement(By.id("blocks-next")).click();
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("blocks-range"), "51–"));
    assertThat(browser.findElement(By.id("blocks-range")).getText()).isEqualTo("51–" + activeBlocks + " of " + activeBlocks);
    assertThat(browser.findElements(By.cssSelector("#blocks-table tbody tr"))).hasSize((int) activeBlocks - 50);
    browser.findElement(By.id("blocks-prev")).click();
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("blocks-range"), "1–50 of " + activeBlocks));
    // Searching takes the fields as they are now.
    browser.findElement(By.id("filter-apply")).click();
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("blocks-range"), "No blocks"));
  }

  @Test
  void anIpv6Slash32RangeIsARangeBesideTheAddressOfItsNetwork() {
    firstBlocksPage();
    WebElement range = browser.findElement(By.cssSelector("a[data-cidr='2001:db8::/32']"));
    WebElement address = browser.findElement(By.cssSelector("a[data-cidr='2001:db8::/128']"));
    assertThat(address.getAttribute("href")).endsWith("#address/" + "2001%3Adb8%3A%3A");
    // A /32 is an IPv4 address but a wide IPv6 range: it filters the list, it does not explain 2001:db8::.
    assertThat(range.getAttribute("href")).endsWith("#blocks");
    range.click();
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("blocks-range"), "of 2"));
    assertThat(browser.findElement(By.id("filter-q")).getAttribute("value")).isEqualTo("2001:db8::/32");
    assertThat(browser.findElement(By.id("view-blocks")).isDisplayed()).isTrue();
  }

  @Test
  void aFilterTooLongForTheListenerIsExplainedInTheConsole() {
    firstBlocksPage();
    js("document.getElementById('filter-q').value = arguments[0];", "1".repeat(5000));
    browser.findElement(By.id("filter-apply")).click();
    waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("message")));
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "too long"));
  }

  @Test
  void aLongReasonWrapsInsteadOfWideningThePage() {
    firstBlocksPage();
    assertThat(browser.findElement(By.cssSelector("#blocks-table tbody tr[data-cidr='198.18.1.1/32']")).getText())
        .contains("SEC-8-xxxx");
    Object overflow = js("return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
    assertThat(((Number) overflow).longValue()).as("pixels the page is wider than the window").isLessThanOrEqualTo(0);
  }

  @Test
  void timesAreShownInTheBrowsersZoneAndThePageSaysWhichOneThatIs() {
    firstBlocksPage();
    JsonObject b = api.get("/admin/api/blocks?q=2001:db8::/128").json().getJsonArray("items").getJsonObject(0);
    String local = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
        .format(Instant.parse(b.getString("expiresAt")).atZone(ZoneId.of(ZONE)));
    assertThat(browser.findElement(By.cssSelector("#blocks-table tbody tr[data-cidr='2001:db8::/128']")).getText())
        .contains(local);
    assertThat(browser.findElement(By.tagName("body")).getText()).contains("UTC+05:45");
  }

  @Test
  void theConfirmationDialogTakesTheFocusAndGivesItBackFromTheKeyboard() {
    block("198.18.2.3", "4h", "for the dialog");
    browser.get(console + "#address/198.18.2.3");
    WebElement unblock = waiting().until(ExpectedConditions.elementToBeClickable(By.id("unblock-address")));
    js("arguments[0].focus();", unblock);
    unblock.sendKeys(Keys.ENTER);
    WebElement dialog = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-dialog")));
    assertThat(js("return document.activeElement.id;")).isEqualTo("confirm-reason");
    browser.switchTo().activeElement().sendKeys(Keys.ESCAPE);
    waiting().until(ExpectedConditions.invisibilityOf(dialog));
    assertThat(js("return document.activeElement.id;")).isEqualTo("unblock-address");

    browser.switchTo().activeElement().sendKeys(Keys.ENTER);
    waiting().until(ExpectedConditions.visibilityOf(dialog));
    browser.switchTo().activeElement().sendKeys("keyboard only", Keys.ENTER);
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Unblocked 198.18.2.3/32"));
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("explain-verdict"), "is not blocked"));
    // The button that opened the dialog is gone with the block: the focus must not fall back to the top of the
    // page, where a keyboard user would have to find the result again.
    assertThat(js("return document.activeElement === document.body || document.activeElement === null;"))
        .isEqualTo(false);
  }
}
