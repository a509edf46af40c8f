package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.Gateway;
import com.timereg.gateway.edge.TestGateways;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in Debian's headless Chromium, in Europe/Oslo (UTC+01:00 in winter, UTC+02:00 in summer): times on
 * either side of a daylight-saving change, a page of the block list emptied while it was shown, and an edit
 * refused while PostgreSQL is down (503 with Retry-After). The outage test runs last: it stops the server.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleTimesAndFailuresBrowserTest {
  static final String ZONE = "Europe/Oslo";

  @TempDir static Path dir;
  static Gateway gateway;
  static AdminHttp api;
  static WebDriver browser;
  static String console;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    gateway = Gateway.start(TestGateways.config(dir, db, Map.of()));
    api = new AdminHttp(gateway.adminPort());
    console = "http://127.0.0.1:" + gateway.adminPort() + "/admin/";
    browser = ConsoleBrowserTest.chromium(dir.resolve("chromium-profile"), ZONE);
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
    browser.get("about:blank");
  }

  private static WebDriverWait waiting() {
    return new WebDriverWait(browser, Duration.ofSeconds(15));
  }

  private static void block(String target, String reason) {
    assertThat(api.post("/admin/api/blocks", new JsonObject().put("target", target).put("duration", "4h")
        .put("reason", reason)).status()).as(target).isEqualTo(201);
  }

  @Test
  @Order(1)
  void timesOnEitherSideOfADaylightSavingChangeEachShowTheirOwnOffset(TestDatabase db) throws Exception {
    block("198.51.100.77", "seen in summer and in winter");
    // Fixed instants on each side of a change, whatever today is: 10:00 UTC is 12:00 in Oslo in July (UTC+02:00)
    // and 11:00 in January (UTC+01:00).
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      assertThat(s.executeUpdate("UPDATE blocks SET first_seen = '2026-07-01T10:00:00Z', "
          + "last_seen = '2027-01-15T10:00:00Z' WHERE cidr = '198.51.100.77/32'")).isEqualTo(1);
    }
    browser.get(console + "#blocks");
    By row = By.cssSelector("#blocks-table tbody tr[data-cidr='198.51.100.77/32']");
    waiting().until(ExpectedConditions.presenceOfElementLocated(row));
    String text = browser.findElement(row).getText();
    // A wall-clock time under a header naming one offset is read with that offset: one of the two would be an
    // hour off unless each time says which offset it has.
    assertThat(text).contains("2026-07-01 12:00:00 UTC+02:00").contains("2027-01-15 11:00:00 UTC+01:00");
  }

  @Test
  @Order(2)
  void aBlockListPageEmptiedWhileShownStepsBackToTheLastPage() {
    for (int i = 1; i <= 51; i++) {
      block("203.0.113." + i, "paging " + i);
    }
    long total = api.get("/admin/api/blocks?active=true&limit=1").json().getLong("total");
    browser.get(console + "#blocks");
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("blocks-range"), "1–50 of " + total));
    // Blocks lifted elsewhere (another administrator, the CLI) while this page is shown: 50 are left, one page.
    for (long i = 1; i <= total - 50; i++) {
      assertThat(api.post("/admin/api/unblock", new JsonObject().put("target", "203.0.113." + i)
          .put("reason", "lifted elsewhere")).status()).isEqualTo(200);
    }
    browser.findElement(By.id("blocks-next")).click();
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("blocks-range"), "of 50"));
    assertThat(browser.findElement(By.id("blocks-range")).getText()).isEqualTo("1–50 of 50");
    assertThat(browser.findElements(By.cssSelector("#blocks-table tbody tr[data-cidr]"))).hasSize(50);
  }

  @Test
  @Order(3)
  void anEditRefusedWhileTheDatabaseIsDownSaysWhenToTryAgain(TestDatabase db) throws Exception {
    browser.get(console + "#edit");
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "Signed in as"));
    db.stopServer();
    try {
      browser.findElement(By.id("block-target")).sendKeys("192.0.2.200");
      browser.findElement(By.id("block-reason")).sendKeys("during the outage");
      browser.findElement(By.id("block-submit")).click();
      waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "unavailable"));
      // The API answered 503 with Retry-After: 5; "retry shortly" alone leaves the person guessing.
      assertThat(browser.findElement(By.id("message")).getText()).contains("Try again in 5 seconds");
    } finally {
      db.startServer();
    }
  }
}
