package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.GatewayProcess;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.testsupport.Await;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/gateway --dev} from the repository root as a real process, as a developer runs it after
 * cloning: it starts its own PostgreSQL, the demo backend and both listeners; the demo users log in and
 * reach the backend, which shows the identity the gateway vouched for; SIGTERM stops everything,
 * PostgreSQL included.
 */
class DevModeIT {
  private static final Pattern PUBLIC_PORT = Pattern.compile("public HTTPS listener on \\S+:(\\d+)");
  private static final Pattern ADMIN_PORT = Pattern.compile("admin listener on http://\\S+:(\\d+)");
  /** A line that starts with an exception's class name: a stack trace's head, or a stray printStackTrace. */
  private static final Pattern BARE_EXCEPTION = Pattern.compile("(?:[a-z][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error|Throwable)\\b");
  /** Cluster creation and the first start of a JVM with Chronicle take a while on a busy machine. */
  private static final long START_SECONDS = 180;

  @Test
  void devModeServesBothListenersLetsDemoUsersInAndStopsItsPostgresOnSigterm() throws Exception {
    Path repo = GatewayProcess.moduleDir().getParent();
    Path script = repo.resolve("bin/gateway");
    assertThat(script).isExecutable();
    // Under target/ rather than /tmp: the local PostgreSQL runs as another OS user when we are root
    // and must be able to pass through every parent directory.
    Path data = GatewayProcess.moduleDir().resolve("target").resolve("devmode-it-" + UUID.randomUUID().toString().substring(0, 8));
    Files.createDirectories(data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Path pgdata = data.resolve("postgres").resolve("pgdata");

    ProcessBuilder pb = new ProcessBuilder(script.toString(), "--dev").directory(repo.toFile())
        .redirectOutput(data.resolve("stdout.txt").toFile());
    pb.environment().remove("GATEWAY_DATABASE_URL"); // dev mode's own PostgreSQL, not a shared one
    pb.environment().put("GATEWAY_DATA_DIR", data.toString());
    pb.environment().put("GATEWAY_PUBLIC__PORT", "0");
    pb.environment().put("GATEWAY_ADMIN__PORT", "0");
    Process process = pb.start();
    StderrWatch log = new StderrWatch(process);
    Vertx vertx = Vertx.vertx();
    try {
      int publicPort = log.port(PUBLIC_PORT, START_SECONDS);
      int adminPort = log.port(ADMIN_PORT, START_SECONDS);

      Path cert = data.resolve("tls").resolve("selfsigned-cert.pem");
      HttpClientAgent https = vertx.createHttpClient(new HttpClientOptions().setSsl(true)
          .setTrustOptions(new PemTrustOptions().addCertPath(cert.toString()))
          .setDefaultHost("localhost").setDefaultPort(publicPort));
      HttpClientAgent admin = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(adminPort));
      var context = vertx.getOrCreateContext();

      String login = new JsonObject().put("username", DevMode.USERS.get(0).loginName())
          .put("password", DevMode.USERS.get(0).password()).encode();
      Response token = Await.await(context, () -> call(https, new RequestOptions().setMethod(HttpMethod.POST)
          .setURI("/auth/token").putHeader("Content-Type", "application/json"), login));
      assertThat(token.status()).as(token.body()).isEqualTo(200);
      String access = new JsonObject(token.body()).getString("access_token");

      Response me = Await.await(context, () -> call(https, new RequestOptions().setURI("/api/me")
          .putHeader("Authorization", "Bearer " + access).putHeader("X-Authenticated-User", "root"), null));
      assertThat(me.status()).isEqualTo(200);
      JsonObject seen = new JsonObject(me.body());
      assertThat(seen.getString("user")).isEqualTo("alice@demo.test");
      assertThat(seen.getString("customer")).isEqualTo(DevMode.CUSTOMER_SLUG);
      assertThat(seen.getString("method")).isEqualTo("password");
      assertThat(seen.getJsonObject("forwarded").getString("x-forwarded-proto")).isEqualTo("https");

      Response ready = Await.await(context, () -> call(admin, new RequestOptions().setURI("/health/ready"), null));
      assertThat(ready.status()).as(ready.body()).isEqualTo(200);
      Await.await(https.close());
      Await.await(admin.close());

      assertThat(Files.exists(pgdata.resolve("postmaster.pid"))).as("dev mode's PostgreSQL runs").isTrue();
      assertThat(PostgresProcesses.of(pgdata)).isNotEmpty();
      // A download in flight when SIGTERM comes, read slowly: the drain waits for it, and the local PostgreSQL
      // must not stop beside the drain (the JVM runs all shutdown hooks at once) but after the gateway.
      long blob = 20_000_000;
      try (javax.net.ssl.SSLSocket download = (javax.net.ssl.SSLSocket) com.timereg.gateway.testsupport.TrustAllTls
          .context().getSocketFactory().createSocket("127.0.0.1", publicPort)) {
        download.setSoTimeout(30_000);
        download.getOutputStream().write(("GET /api/blob?size=" + blob + " HTTP/1.1\r\nHost: localhost\r\n"
            + "Authorization: Bearer " + access + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        download.getOutputStream().flush();
        java.io.InputStream in = download.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        long received = in.read(buffer);
        // SIGTERM through the handle: Process.destroy() would also close our end of its stderr.
        assertThat(process.toHandle().destroy()).isTrue();
        log.await("stopping: no new connections", 30);
        assertThat(log.appearsWithin("Local PostgreSQL on 127.0.0.1:", 1500))
            .as("PostgreSQL stopped while the gateway drains").isFalse();
        for (int n; (n = in.read(buffer)) >= 0; ) {
          received += n;
        }
        assertThat(received).as("the download in flight finished whole (head and body)").isGreaterThan(blob);
      }
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the gateway exits on SIGTERM").isTrue();
      assertThat(PostgresProcesses.of(pgdata)).as("no PostgreSQL of this data directory is left").isEmpty();
      assertThat(Files.exists(pgdata.resolve("postmaster.pid"))).isFalse();
      String whole = log.awaitEnd(30);
      assertThat(whole).contains("stopping").doesNotContain("Thread blocked").doesNotContain("has been blocked for");
      // PostgreSQL stops after the gateway has drained and closed, not beside it: nothing lost its connection.
      assertThat(whole).doesNotContain("lost the connection listening for block changes")
          .doesNotContain("lost the session revocation subscription");
      assertThat(whole.indexOf("c.t.gateway.edge.Gateway - stopped")).as(whole).isPositive()
          .isLessThan(whole.indexOf("Local PostgreSQL on 127.0.0.1:"));
      // Start, requests and stop leave nothing on stderr past the log's format: no stack traces,
      // no stray exception prints (the local PostgreSQL stops while the gateway is still closing).
      assertThat(whole.lines()).noneMatch(l -> BARE_EXCEPTION.matcher(l).lookingAt());
    } finally {
      Await.await(vertx.close());
      if (process.isAlive()) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      PostgresProcesses.stopLeftover(pgdata);
      PostgresExtension.deleteTree(data);
    }
  }

  record Response(int status, String body) {}

  private static io.vertx.core.Future<Response> call(HttpClientAgent client, RequestOptions options, String body) {
    return client.request(options)
        .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), b.toString(StandardCharsets.UTF_8))));
  }

  /** Reads the process's stderr (its log) as it comes, so the pipe never fills up. */
  private static final class StderrWatch {
    private final StringBuilder text = new StringBuilder();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();

    StderrWatch(Process process) {
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            synchronized (text) {
              text.append(line).append('\n');
              text.notifyAll();
            }
          }
        } catch (IOException ignored) {
          // the process ended
        } finally {
          ended.complete(null);
          synchronized (text) {
            text.notifyAll();
          }
        }
      }, "devmode-it-stderr");
      reader.setDaemon(true);
      reader.start();
    }

    /** The whole log, once the process closed its stderr. */
    String awaitEnd(long seconds) throws Exception {
      ended.get(seconds, TimeUnit.SECONDS);
      synchronized (text) {
        return text.toString();
      }
    }

    /** Waits for a log line matching {@code pattern}; fails with the log so far after {@code seconds}. */
    int port(Pattern pattern, long seconds) throws InterruptedException {
      Matcher m = within(pattern, TimeUnit.SECONDS.toMillis(seconds));
      if (m == null) {
        throw new AssertionError("no line matching '" + pattern + "' from bin/gateway --dev; its log:\n" + this);
      }
      return Integer.parseInt(m.group(1));
    }

    /** Waits for a log line containing {@code fragment}; fails with the log so far after {@code seconds}. */
    void await(String fragment, long seconds) throws InterruptedException {
      if (!appearsWithin(fragment, TimeUnit.SECONDS.toMillis(seconds))) {
        throw new AssertionError("no line with '" + fragment + "' from bin/gateway --dev; its log:\n" + this);
      }
    }

    /** Whether a log line containing {@code fragment} is there, or comes within {@code millis}. */
    boolean appearsWithin(String fragment, long millis) throws InterruptedException {
      return within(Pattern.compile(Pattern.quote(fragment)), millis) != null;
    }

    /** The first match of {@code pattern} in the log, waiting up to {@code millis}; null when none came. */
    private Matcher within(Pattern pattern, long millis) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      synchronized (text) {
        while (true) {
          Matcher m = pattern.matcher(text);
          if (m.find()) {
            return m;
          }
          long left = deadline - System.nanoTime();
          if (left <= 0 || ended.isDone()) {
            return null;
          }
          text.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      }
    }

    @Override
    public String toString() {
      synchronized (text) {
        return text.toString();
      }
    }
  }
}
