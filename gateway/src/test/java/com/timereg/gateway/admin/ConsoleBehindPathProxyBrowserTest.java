package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.Gateway;
import com.timereg.gateway.edge.TestGateways;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
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

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    gateway = Gateway.start(TestGateways.config(dir, db, Map.of()));
    AdminHttp api = new AdminHttp(gateway.adminPort());
    assertThat(api.post("/admin/api/blocks", new JsonObject().put("target", "203.0.113.0/24").put("duration", "4h")
        .put("reason", "SEC-77 behind the proxy")).status()).isEqualTo(201);
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
      req.body().compose(body -> client.request(new RequestOptions().setMethod(req.method())
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
            req.response().end(answer);
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
}
