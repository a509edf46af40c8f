package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.Gateway;
import com.timereg.gateway.edge.TestGateways;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console where a reverse proxy publishes the admin listener below a path, as docs/admin.md
 * describes for {@code --admin-url https://ops.example/gateway/}: here a proxy on loopback that
 * passes {@code /gateway/...} on without its prefix. The page, its API calls and the redirect from
 * the bare path must all stay below the prefix, in Debian's headless Chromium.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class ConsoleBehindPathProxyBrowserTest {
  static final String PREFIX = "/gateway";

  @TempDir static Path dir;
  static Gateway gateway;
  static Vertx vertx;
  static HttpServer proxy;
  static WebDriver browser;
  static String base;
  /** Paths the proxy was asked for that are not below its prefix: the console went astray. */
  static final List<String> astray = new CopyOnWriteArrayList<>();
  /** When set, the next unfiltered block search waits at the proxy until this completes. */
  static final AtomicReference<Promise<Void>> hold = new AtomicReference<>();
  static volatile CompletableFuture<Void> heldArrived = new CompletableFuture<>();
  static volatile CompletableFuture<Void> heldAnswered = new CompletableFuture<>();

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    gateway = Gateway.start(TestGateways.config(dir, db, Map.of()));
    AdminHttp api = new AdminHttp(gateway.adminPort());
    assertThat(api.post("/admin/api/blocks", new JsonObject().put("target", "203.0.113.0/24").put("duration", "4h")
        .put("reason", "SEC-77 behind the proxy")).status()).isEqualTo(201);
    assertThat(api.post("/admin/api/blocks", new JsonObject().put("target", "198.51.100.0/28").put("duration", "4h")
        .put("reason", "SEC-78 the one searched for")).status()).isEqualTo(201);
    vertx = Vertx.vertx();
    HttpClientAgent client = vertx.createHttpClient();
    int adminPort = gateway.adminPort();
    proxy = vertx.createHttpServer().requestHandler(req -> {
      String uri = req.uri();
      if (!uri.startsWith(PREFIX + "/")) {
        if (!uri.equals("/favicon.ico")) {
          // The browser asks for the site's icon by itself; anything else is the console's.
          astray.add(uri);
        }
        req.response().setStatusCode(404).putHeader("Content-Type", "text/plain").end("not published here");
        return;
      }
      Promise<Void> held = uri.startsWith(PREFIX + "/admin/api/blocks?") && !uri.contains("q=") ? hold.getAndSet(null) : null;
      Future<Void> gate = held == null ? Future.succeededFuture() : held.future();
      if (held != null) {
        heldArrived.complete(null);
      }
      req.body().compose(body -> gate.map(body)).compose(body -> client.request(new RequestOptions().setMethod(req.method())
              .setHost("127.0.0.1").setPort(adminPort).setURI(uri.substring(PREFIX.length())))
          .compose(out -> {
            req.headers().forEach((k, v) -> {
              if (!k.equalsIgnoreCase("host") && !k.equalsIgnoreCase("content-length")) {
                out.putHeader(k, v);
              }
            });
            return out.send(body);
          })
          .compose(in -> in.body().map(answer -> {
            req.response().setStatusCode(in.statusCode());
            in.headers().forEach((k, v) -> {
              if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("transfer-encoding")) {
                req.response().putHeader(k, v);
              }
            });
            req.response().end(answer).onSuccess(v -> {
              if (held != null) {
                heldAnswered.complete(null);
              }
            });
            return answer;
          })))
          .onFailure(e -> req.response().setStatusCode(502).end());
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + proxy.actualPort() + PREFIX;
    browser = ConsoleBrowserTest.chromium(dir.resolve("chromium-profile"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (gateway != null) {
      gateway.stop();
    }
  }

  private static WebDriverWait waiting() {
    return new WebDriverWait(browser, Duration.ofSeconds(10));
  }

  @Test
  void theConsoleBelowAProxysPathCallsTheApiBelowItToo() {
    browser.get(base + "/admin/");
    // The API was called at /admin/api/..., beside the prefix: the proxy's 404 became "The request failed (404)".
    waiting().until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#blocks-table tbody tr[data-cidr='203.0.113.0/24']")));
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "Signed in as local"));
    assertThat(browser.findElement(By.id("message")).isDisplayed()).isFalse();
    assertThat(astray).isEmpty();
  }

  @Test
  void theBarePathBelowAProxysPathRedirectsBelowItToo() {
    // The redirect said Location: /admin/, out of the proxy's path.
    browser.get(base + "/admin");
    waiting().until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#blocks-table tbody tr[data-cidr='203.0.113.0/24']")));
    assertThat(browser.getCurrentUrl()).isEqualTo(base + "/admin/");
    assertThat(astray).isEmpty();
  }

  @Test
  void aSlowAnswerToAnEarlierSearchDoesNotReplaceTheAnswerToALaterOne() throws Exception {
    Promise<Void> release = Promise.promise();
    heldArrived = new CompletableFuture<>();
    heldAnswered = new CompletableFuture<>();
    hold.set(release);
    browser.get("about:blank");
    browser.get(base + "/admin/#blocks");
    // The list asked for on arriving (every block) is slow; the staff member searches meanwhile.
    heldArrived.get(10, TimeUnit.SECONDS);
    WebElement q = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("filter-q")));
    q.sendKeys("198.51.100.5");
    browser.findElement(By.id("filter-apply")).click();
    By rows = By.cssSelector("#blocks-table tbody tr");
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("blocks-range"), "1–1 of 1"));
    assertThat(browser.findElements(rows)).hasSize(1);

    release.complete();
    heldAnswered.get(10, TimeUnit.SECONDS);
    JavascriptExecutor js = (JavascriptExecutor) browser;
    // The browser has the slow answer in full; one more request through the page lets it finish with it.
    waiting().until(d -> (Boolean) js.executeScript("return performance.getEntriesByType('resource').some("
        + "e => e.name.includes('/api/blocks?') && !e.name.includes('q=') && e.responseEnd > 0)"));
    js.executeAsyncScript("const done = arguments[arguments.length - 1];"
        + "fetch('api/whoami').then(r => r.json()).then(() => setTimeout(done, 0));");
    // The slow answer replaced the table: every block shown under the filter 198.51.100.5.
    assertThat(browser.findElements(rows)).hasSize(1);
    assertThat(browser.findElement(rows).getAttribute("data-cidr")).isEqualTo("198.51.100.0/28");
    assertThat(browser.findElement(By.id("blocks-range")).getText()).isEqualTo("1–1 of 1");
  }
}
