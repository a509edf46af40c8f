package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.Gateway;
import com.timereg.gateway.edge.TestGateways;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.throttle.FailureKind;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Markup in every text the console shows (a stored login name, a block reason, an allowlist note,
 * an actor) stays text in Debian's headless Chromium: no element is made of it and no handler in
 * it runs, in the events, address, block and allowlist views.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class ConsoleHostileTextBrowserTest {
  static final String MARKUP = "<img src=x onerror=\"window.__xss=(window.__xss||0)+1\">";

  @TempDir static Path dir;
  static Gateway gateway;
  static WebDriver browser;
  static String console;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    gateway = Gateway.start(TestGateways.config(dir, db, Map.of()));
    AdminHttp api = new AdminHttp(gateway.adminPort());
    console = "http://127.0.0.1:" + gateway.adminPort() + "/admin/";
    InetAddress client = InetAddress.getByName("192.0.2.77");
    gateway.securityEvents().loginFailed(client, MARKUP, FailureKind.WRONG_PASSWORD);
    gateway.securityEvents().loginSucceeded(client, MARKUP, "password");
    Map<String, String> headers = Map.of("X-Requested-With", "gateway-console", "X-Admin-Actor", MARKUP);
    assertThat(api.send("POST", "/admin/api/blocks", new JsonObject().put("target", "192.0.2.77").put("duration", "1h")
        .put("reason", MARKUP).encode(), headers).status()).isEqualTo(201);
    assertThat(api.send("POST", "/admin/api/allowlist", new JsonObject().put("target", "198.51.100.0/28")
        .put("note", MARKUP).encode(), headers).status()).isEqualTo(201);
    browser = ConsoleBrowserTest.chromium(dir.resolve("chromium-profile"));
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

  private static void showsMarkupAsText(String view, String table) {
    browser.get(console + view);
    new WebDriverWait(browser, Duration.ofSeconds(10))
        .until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(table), "<img src=x onerror="));
    JavascriptExecutor js = (JavascriptExecutor) browser;
    assertThat(js.executeScript("return document.querySelectorAll('main img').length")).as(view).isEqualTo(0L);
    assertThat(js.executeScript("return window.__xss === undefined")).as(view).isEqualTo(true);
  }

  @Test
  void markupInLoginNamesReasonsNotesAndActorsIsShownAsText() {
    showsMarkupAsText("#events", "#events-table tbody");
    showsMarkupAsText("#address/192.0.2.77", "#explain-logins tbody");
    assertThat(browser.findElement(By.cssSelector("#explain-blocks tbody")).getText()).contains(MARKUP);
    assertThat(browser.findElement(By.cssSelector("#explain-events tbody")).getText()).contains(MARKUP);
    showsMarkupAsText("#blocks", "#blocks-table tbody");
    showsMarkupAsText("#allowlist", "#allowlist-table tbody");
    assertThat(browser.findElement(By.id("who")).getText()).doesNotContain("<");
  }

  @Test
  void aLinkWithABrokenPercentEscapeStillOpensTheViewAndSaysWhatIsWrong() {
    // decodeURIComponent throws on "%E0%A4%A": the console stayed blank, with no view and no message.
    browser.get(console + "#address/%E0%A4%A");
    new WebDriverWait(browser, Duration.ofSeconds(10))
        .until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "is not an IPv4 or IPv6 address"));
    assertThat(browser.findElement(By.id("view-address")).isDisplayed()).isTrue();
  }
}
