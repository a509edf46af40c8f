package com.timereg.gateway.edge;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Predicate;

/**
 * Debian's headless Chromium driven through chromedriver's W3C WebDriver API: a real browser for
 * page tests, with nothing but the JDK's HTTP client in between. Accepts the gateway's self-signed
 * certificate.
 */
public final class Chromium implements AutoCloseable {
  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final Process driver;
  private final String base;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String session;

  public static boolean installed() {
    return Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
  }

  public Chromium(Path profile) throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    driver = new ProcessBuilder(DRIVER.toString(), "--port=" + port).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    base = "http://127.0.0.1:" + port;
    waitFor(() -> call("GET", "/status", null).getJsonObject("value").getBoolean("ready", false));
    JsonObject options = new JsonObject().put("binary", BROWSER.toString()).put("args", new JsonArray()
        .add("--headless=new").add("--no-sandbox").add("--disable-gpu").add("--disable-quic").add("--no-first-run")
        .add("--disable-background-networking").add("--disable-component-update").add("--disable-sync")
        .add("--window-size=800,900").add("--user-data-dir=" + profile));
    JsonObject caps = new JsonObject().put("capabilities", new JsonObject().put("alwaysMatch", new JsonObject()
        .put("browserName", "chrome").put("acceptInsecureCerts", true).put("goog:chromeOptions", options)));
    session = call("POST", "/session", caps).getJsonObject("value").getString("sessionId");
  }

  public void open(String url) {
    command("POST", "/url", new JsonObject().put("url", url));
  }

  public String url() {
    return command("GET", "/url", null).getString("value");
  }

  public void type(String css, String text) {
    command("POST", "/element/" + element(css) + "/value", new JsonObject().put("text", text));
  }

  public void click(String css) {
    command("POST", "/element/" + element(css) + "/click", new JsonObject());
  }

  public String text(String css) {
    return command("GET", "/element/" + element(css) + "/text", null).getString("value");
  }

  /** The computed value of a CSS property of the first element matching {@code css}. */
  public String css(String css, String property) {
    return command("GET", "/element/" + element(css) + "/css/" + property, null).getString("value");
  }

  /** Polls the text of {@code css} until it satisfies {@code until}, for at most ten seconds. */
  public String awaitText(String css, Predicate<String> until) throws InterruptedException {
    String[] last = new String[1];
    waitFor(() -> until.test(last[0] = text(css)));
    return last[0];
  }

  /** Waits (bounded) until the page's URL satisfies {@code until}: a click may return before the navigation it starts. */
  public String awaitUrl(Predicate<String> until) throws InterruptedException {
    String[] last = new String[1];
    waitFor(() -> until.test(last[0] = url()));
    return last[0];
  }

  public void screenshot(Path png) throws IOException {
    Files.write(png, Base64.getDecoder().decode(command("GET", "/screenshot", null).getString("value")));
  }

  private String element(String css) {
    return command("POST", "/element", new JsonObject().put("using", "css selector").put("value", css))
        .getJsonObject("value").getString(ELEMENT);
  }

  private JsonObject command(String method, String path, JsonObject body) {
    return call(method, "/session/" + session + path, body);
  }

  private JsonObject call(String method, String path, JsonObject body) {
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(WAIT);
      request = body == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
          : request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      JsonObject json = new JsonObject(response.body());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("WebDriver " + method + " " + path + ": " + response.statusCode() + " " + json);
      }
      return json;
    } catch (IOException e) {
      throw new IllegalStateException("WebDriver " + method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private interface Condition {
    boolean met() throws Exception;
  }

  private static void waitFor(Condition condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        if (condition.met()) {
          return;
        }
      } catch (Exception notYet) {
        // The driver is still starting, or the element is not there yet.
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + WAIT.toSeconds() + " s");
      }
      Thread.sleep(100);
    }
  }

  @Override
  public void close() {
    try {
      if (session != null) {
        command("DELETE", "", null);
      }
    } catch (RuntimeException e) {
      // The browser is going away anyway.
    } finally {
      driver.destroy();
    }
  }
}
