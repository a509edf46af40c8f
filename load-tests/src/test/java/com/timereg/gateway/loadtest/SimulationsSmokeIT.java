package com.timereg.gateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Every simulation for a few seconds with one or two users against a real {@code bin/gateway
 * --dev}, so that none of them rots: each must run to its end with all its assertions holding.
 * This says nothing about speed (the load is tiny and the thresholds are the defaults); it says
 * the journeys, checks and assertions still match the gateway.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SimulationsSmokeIT {
  private static final Path ROOT = Path.of(System.getProperty("loadtests.projectRoot", "..")).toAbsolutePath().normalize();
  private static final Path RESULTS = Path.of(System.getProperty("loadtests.resultsFolder", "target/gatling-smoke"));
  private static final Path WORK = Path.of("target", "smoke-gateway").toAbsolutePath();
  /** Long enough for bin/gateway to build a stale jar first on a busy machine. */
  private static final Duration STARTUP = Duration.ofMinutes(8);

  private static DevGateway gateway;

  @BeforeAll
  static void startGateway() throws Exception {
    deleteRecursively(WORK);
    Files.createDirectories(WORK);
    gateway = DevGateway.start(ROOT, WORK.resolve("data"), WORK.resolve("gateway.log"), STARTUP);
  }

  @AfterAll
  static void stopGateway() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  @Order(1)
  void legitimateUsersLogInBrowseRefreshAndLogOut() {
    assertRuns(LegitimateTraffic.class, Map.of("usersPerSec", "1", "rampUp", "0s", "duration", "3s",
        "pageViews", "2", "thinkTime", "100ms"));
  }

  @Test
  @Order(2)
  void stuffingAddressesAndTheirRangeEndRefusedWhileLegitimateUsersKeepWorking() {
    // Five attackers: the gateway's throttle.range-blocked-client-limit, so the range probe runs too.
    assertRuns(CredentialStuffing.class, Map.of("usersPerSec", "1", "duration", "4s", "pageViews", "2",
        "thinkTime", "100ms", "attackRanges", "1", "attackersPerRange", "5", "attackDelay", "0s",
        "attackRampUp", "1s", "legitSources", "127.1.0.1,127.1.0.2"));
  }

  @Test
  @Order(3)
  void authenticatedGetsFlowThroughTheProxy() {
    assertRuns(ProxyThroughput.class, Map.of("concurrency", "2", "duration", "3s"));
  }

  @Test
  @Order(4)
  void passwordsAreCheckedAndChanged() throws Exception {
    int status = passwordCheckStatus();
    Assumptions.assumeTrue(status != 404, "POST /password/check answers 404: this gateway has no password change "
        + "endpoints yet, so the PasswordChange smoke is skipped");
    assertRuns(PasswordChange.class, Map.of("duration", "1s", "users", "1"));
  }

  private static void assertRuns(Class<? extends io.gatling.javaapi.core.Simulation> simulation, Map<String, String> params) {
    Map<String, String> all = new java.util.HashMap<>(params);
    all.put("baseUrl", gateway.baseUrl());
    // Latency limits far above anything healthy: the smoke checks that every assertion is wired
    // to requests that exist and succeed, not how fast a shared CI machine is.
    all.putAll(GatlingRunner.relaxedLatencyLimits(simulation));
    int status = GatlingRunner.run(simulation, all, RESULTS);
    assertThat(status)
        .withFailMessage(() -> simulation.getSimpleName() + " ended with Gatling status " + status
            + (status == GatlingRunner.ASSERTIONS_FAILED ? " (an assertion failed; see the console above)" : "")
            + "; reports in " + RESULTS.toAbsolutePath() + "; the gateway's log ends:\n" + gateway.logTail(40))
        .isEqualTo(GatlingRunner.SUCCESS);
  }

  /** The status of a strength check with a fresh session of the first demo user. */
  private static int passwordCheckStatus() throws Exception {
    SSLContext trustAll = SSLContext.getInstance("TLS");
    trustAll.init(null, new TrustManager[] {new TrustEverything()}, new SecureRandom());
    Map<String, Object> alice = Credentials.DEMO_USERS.get(0);
    String login = post(trustAll, "/auth/token", null,
        Json.object("username", (String) alice.get("username"), "password", (String) alice.get("password")));
    Matcher token = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"").matcher(login);
    assertThat(token.find()).withFailMessage("no access token in the login answer").isTrue();
    HttpsURLConnection c = open(trustAll, "/password/check", token.group(1));
    write(c, Json.object("password", "correct horse battery staple", "new_password", "correct horse battery staple"));
    return c.getResponseCode();
  }

  private static String post(SSLContext tls, String path, String bearer, String json) throws IOException {
    HttpsURLConnection c = open(tls, path, bearer);
    write(c, json);
    assertThat(c.getResponseCode()).withFailMessage(path + " answered " + c.getResponseCode()).isEqualTo(200);
    try (InputStream in = c.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static HttpsURLConnection open(SSLContext tls, String path, String bearer) throws IOException {
    HttpsURLConnection c = (HttpsURLConnection) URI.create(gateway.baseUrl() + path).toURL().openConnection();
    c.setSSLSocketFactory(tls.getSocketFactory());
    // The dev certificate is self-signed for "localhost" and we connect to 127.0.0.1.
    c.setHostnameVerifier((host, session) -> true);
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setRequestProperty("Content-Type", "application/json");
    if (bearer != null) {
      c.setRequestProperty("Authorization", "Bearer " + bearer);
    }
    return c;
  }

  private static void write(HttpsURLConnection c, String body) throws IOException {
    try (OutputStream out = c.getOutputStream()) {
      out.write(body.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Like Gatling's default: the smoke talks to the dev gateway's self-signed certificate. */
  private static final class TrustEverything implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
