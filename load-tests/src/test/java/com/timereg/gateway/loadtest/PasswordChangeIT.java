package com.timereg.gateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PasswordChange} must leave every account with the password it started with, or the accounts (the
 * demo users by default) are unusable for every later run: nobody knows the random password in between. The
 * target is a stub over plain HTTP that keeps one password per account, like the gateway's contract; when the
 * login with the temporary password fails (here: always, with 500), the session that made the change is still
 * signed in and must change the password back.
 */
class PasswordChangeIT {
  private static final Pattern FIELD = Pattern.compile("\"([a-z_]+)\"\\s*:\\s*\"([^\"]*)\"");

  @TempDir
  Path tmp;

  private final Map<String, String> passwords = new ConcurrentHashMap<>();
  private final AtomicInteger tokens = new AtomicInteger();
  private volatile boolean temporaryPasswordLoginsFail;
  private volatile boolean temporaryPasswordLoginsSlow;
  private HttpServer stub;

  @BeforeEach
  void startStub() throws IOException {
    for (Map<String, Object> user : Credentials.DEMO_USERS) {
      passwords.put((String) user.get("username"), (String) user.get("password"));
    }
    stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stub.setExecutor(Executors.newFixedThreadPool(2));
    stub.createContext("/auth/token", ex -> {
      Map<String, String> body = fields(ex);
      String user = body.get("username");
      String password = body.get("password");
      if (password == null || !password.equals(passwords.get(user))) {
        answer(ex, 401, "{\"error\":\"invalid_credentials\"}");
      } else if (temporaryPasswordLoginsFail && !password.equals(original(user))) {
        answer(ex, 500, "{\"error\":\"server_error\"}");
      } else {
        if (temporaryPasswordLoginsSlow && !password.equals(original(user))) {
          try {
            // The target's speed, not a wait: the round outlasts the run's duration in the middle.
            Thread.sleep(1500);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        answer(ex, 200, "{\"access_token\":\"" + user + "|" + tokens.incrementAndGet()
            + "\",\"refresh_token\":\"r\",\"expires_in\":3600}");
      }
    });
    stub.createContext("/password/check", ex -> {
      boolean breached = PasswordChange.BREACHED.contains(fields(ex).get("password"));
      answer(ex, 200, "{\"pwned\":" + breached + ",\"prevalence\":" + (breached ? 1024 : 0) + ",\"score\":"
          + (breached ? 0 : 4) + ",\"meets_policy\":" + !breached + ",\"reasons\":[]}");
    });
    stub.createContext("/password", ex -> {
      String user = userOf(ex);
      Map<String, String> body = fields(ex);
      if (user == null || !body.get("current_password").equals(passwords.get(user))) {
        answer(ex, 401, "{\"error\":\"invalid_current_password\"}");
      } else if (PasswordChange.BREACHED.contains(body.get("new_password"))) {
        answer(ex, 422, "{\"error\":\"password_refused\",\"reasons\":[\"breached\"]}");
      } else {
        passwords.put(user, body.get("new_password"));
        answer(ex, 204, "");
      }
    });
    stub.start();
  }

  @AfterEach
  void stopStub() {
    stub.stop(0);
  }

  @Test
  void aRoundWhoseAccountsGetInWithTheNewPasswordEndsWithTheOriginalOne() {
    assertThat(run()).isEqualTo(GatlingRunner.SUCCESS);
    assertThat(passwords.get("alice@demo.test")).isEqualTo(original("alice@demo.test"));
  }

  @Test
  void aRoundStillRunningWhenTheDurationEndsIsFinished() {
    // duration is 1 s and the login with the new password alone takes 1.5 s: the run's end falls between the
    // change and the change back, and must not cut the round there.
    temporaryPasswordLoginsSlow = true;
    assertThat(run()).isEqualTo(GatlingRunner.SUCCESS);
    assertThat(passwords.get("alice@demo.test"))
        .withFailMessage("alice's password was left changed")
        .isEqualTo(original("alice@demo.test"));
  }

  @Test
  void theOriginalPasswordIsRestoredWhenTheLoginWithTheNewOneFails() {
    temporaryPasswordLoginsFail = true;
    assertThat(run()).isEqualTo(GatlingRunner.ASSERTIONS_FAILED);
    assertThat(passwords.get("alice@demo.test"))
        .withFailMessage("alice's password was left changed")
        .isEqualTo(original("alice@demo.test"));
  }

  @Test
  void aCredentialsFileListingAnAccountTwiceStopsTheRunBeforeAnyLogin() throws IOException {
    // Two users changing one account's password at once undo each other's change; the account can be left
    // with a random password nobody knows.
    Path file = tmp.resolve("accounts.csv");
    String alice = "alice@demo.test," + original("alice@demo.test") + "\n";
    Files.writeString(file, alice + "bob@demo.test," + original("bob@demo.test") + "\n" + alice);
    int status;
    try {
      status = run(Map.of("credentials", file.toString(), "users", "3"));
    } catch (Exception e) {
      // Gatling rethrows the simulation's refusal, wrapped (InvocationTargetException) and unchecked.
      status = -1;
    }
    assertThat(status).isNotEqualTo(GatlingRunner.SUCCESS);
    assertThat(tokens.get()).withFailMessage("%d logins reached the target", tokens.get()).isZero();
  }

  private int run() {
    return run(Map.of("users", "1"));
  }

  private int run(Map<String, String> extra) {
    Map<String, String> params = new java.util.HashMap<>(Map.of(
        "baseUrl", "http://127.0.0.1:" + stub.getAddress().getPort(),
        "duration", "1s",
        "checkP99Ms", "60000",
        "changeP99Ms", "60000"));
    params.putAll(extra);
    return GatlingRunner.run(PasswordChange.class, params, tmp.resolve("gatling"));
  }

  private static String original(String user) {
    return Credentials.DEMO_USERS.stream().filter(u -> u.get("username").equals(user))
        .map(u -> (String) u.get("password")).findFirst().orElseThrow();
  }

  private static String userOf(HttpExchange ex) {
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    return auth == null || !auth.startsWith("Bearer ") ? null : auth.substring(7, auth.lastIndexOf('|'));
  }

  private static Map<String, String> fields(HttpExchange ex) throws IOException {
    Matcher m = FIELD.matcher(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    Map<String, String> out = new ConcurrentHashMap<>();
    while (m.find()) {
      out.put(m.group(1), m.group(2));
    }
    return out;
  }

  private static void answer(HttpExchange ex, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
    ex.close();
  }
}
