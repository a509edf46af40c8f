package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.GatewayProcess;
import com.timereg.gateway.store.ConnectionSettings;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway processes (the packaged jar, as production runs it) sharing one PostgreSQL: a block
 * and an unblock made through the first one's admin API hold on the second within a second, for
 * real requests from a real source address in 127.0.0.0/8.
 */
@ExtendWith(PostgresExtension.class)
class SharedBlocksAcrossProcessesIT {
  static final Pattern PUBLIC = Pattern.compile("public HTTPS listener on [^ ]*:(\\d+) ");
  static final Pattern ADMIN = Pattern.compile("admin listener on https?://[^ ]*:(\\d+)$");
  static final Duration PROPAGATION_BOUND = Duration.ofSeconds(1);
  static final String CLIENT = "127.0.0.77";

  @TempDir Path dir;
  Node a;
  Node b;

  /** One child gateway and the ports it logged. */
  record Node(Process process, int publicPort, int adminPort, StringBuffer log) {}

  @AfterEach
  void stop() throws Exception {
    for (Node n : new Node[] {a, b}) {
      if (n != null) {
        n.process().destroy();
        if (!n.process().waitFor(30, TimeUnit.SECONDS)) {
          n.process().destroyForcibly();
        }
      }
    }
  }

  /** One signing key for both nodes, as a cluster shares it (sessions are not used here, but required). */
  static String signingKeyPem() throws Exception {
    java.security.KeyPairGenerator kpg = java.security.KeyPairGenerator.getInstance("EC");
    kpg.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
    String b64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(kpg.generateKeyPair().getPrivate().getEncoded());
    return "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n";
  }

  Node launch(String name, ConnectionSettings db, String signingKey) throws Exception {
    Path config = dir.resolve(name + ".yaml");
    Files.writeString(config, "");
    Map<String, String> env = new HashMap<>(Map.of(
        "GATEWAY_DATA_DIR", dir.resolve(name).toString(),
        "GATEWAY_PUBLIC__PORT", "0",
        "GATEWAY_PUBLIC__EVENT_LOOPS", "1",
        "GATEWAY_ADMIN__PORT", "0",
        "GATEWAY_THROTTLE__NODE_ID", name,
        "GATEWAY_DATABASE__HOST", db.host(),
        "GATEWAY_DATABASE__PORT", Integer.toString(db.port()),
        "GATEWAY_DATABASE__NAME", db.database(),
        "GATEWAY_DATABASE__USER", db.user()));
    env.put("GATEWAY_SESSION__SIGNING_KEY", signingKey);
    if (db.password() != null && !db.password().isEmpty()) {
      env.put("GATEWAY_DATABASE__PASSWORD", db.password());
    }
    Process p = GatewayProcess.builder(env, "--config", config.toString()).start();
    StringBuffer log = new StringBuffer();
    CompletableFuture<Integer> publicPort = new CompletableFuture<>();
    CompletableFuture<Integer> adminPort = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          log.append(line).append('\n');
          Matcher pm = PUBLIC.matcher(line);
          if (pm.find()) {
            publicPort.complete(Integer.parseInt(pm.group(1)));
          }
          Matcher am = ADMIN.matcher(line);
          if (am.find()) {
            adminPort.complete(Integer.parseInt(am.group(1)));
          }
        }
      } catch (java.io.IOException e) {
        // the child went away; a missing port is reported below with its log
      }
      publicPort.completeExceptionally(new AssertionError(name + " exited:\n" + log));
      adminPort.completeExceptionally(new AssertionError(name + " exited:\n" + log));
    }, name + "-log");
    reader.setDaemon(true);
    reader.start();
    p.getInputStream().close();
    return new Node(p, publicPort.get(90, TimeUnit.SECONDS), adminPort.get(90, TimeUnit.SECONDS), log);
  }

  @Test
  void blockAndUnblockOnOneProcessHoldOnTheOtherWithinASecond(TestDatabase db) throws Exception {
    String key = signingKeyPem();
    a = launch("gw-a", db.settings(), key);
    b = launch("gw-b", db.settings(), key);
    AdminHttp adminA = new AdminHttp(a.adminPort());
    AdminHttp adminB = new AdminHttp(b.adminPort());
    AdminHttp.eventually(Duration.ofSeconds(30), "both ready", () ->
        adminA.get("/health/ready").status() == 200 && adminB.get("/health/ready").status() == 200);
    // Unblocked, a request without a session meets the authentication gate (401), not the block (429).
    assertThat(publicStatus(b, CLIENT)).as("not blocked yet").isNotEqualTo(429);

    AdminHttp.Response blocked = adminA.send("POST", "/admin/api/blocks", new JsonObject().put("target", CLIENT)
        .put("duration", "10m").put("reason", "cross-process test").encode(),
        Map.of("X-Requested-With", "gateway-console", "X-Admin-Actor", "it-test"));
    assertThat(blocked.status()).as(blocked.body()).isEqualTo(201);
    long blockedAt = System.nanoTime();
    AdminHttp.eventually(PROPAGATION_BOUND, "block made on gw-a enforced on gw-b",
        () -> adminB.get("/admin/api/explain/" + CLIENT).json().getBoolean("blocked"));
    long blockMillis = (System.nanoTime() - blockedAt) / 1_000_000;
    assertThat(publicStatus(b, CLIENT)).as("a real request from " + CLIENT + " to gw-b").isEqualTo(429);
    assertThat(publicStatus(b, "127.0.0.78")).as("its neighbour").isNotEqualTo(429);

    AdminHttp.Response lifted = adminA.send("POST", "/admin/api/unblock",
        new JsonObject().put("target", CLIENT).put("reason", "done").encode(),
        Map.of("X-Requested-With", "gateway-console", "X-Admin-Actor", "it-test"));
    assertThat(lifted.status()).as(lifted.body()).isEqualTo(200);
    long liftedAt = System.nanoTime();
    AdminHttp.eventually(PROPAGATION_BOUND, "unblock made on gw-a effective on gw-b",
        () -> !adminB.get("/admin/api/explain/" + CLIENT).json().getBoolean("blocked"));
    long unblockMillis = (System.nanoTime() - liftedAt) / 1_000_000;
    assertThat(publicStatus(b, CLIENT)).isNotEqualTo(429);

    JsonObject history = adminB.get("/admin/api/explain/" + CLIENT).json().getJsonObject("history");
    assertThat(history.getJsonArray("events").stream().map(o -> ((JsonObject) o).getString("actor") + " "
        + ((JsonObject) o).getString("action") + " on " + ((JsonObject) o).getString("node")))
        .containsExactly("it-test unblock on gw-a", "it-test block on gw-a");
    System.out.printf("propagation gw-a -> gw-b: block %d ms, unblock %d ms%n", blockMillis, unblockMillis);
  }

  /** Status of one public request sent from {@code source}, a loopback address of this machine. */
  static int publicStatus(Node n, String source) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, new SecureRandom());
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(
        InetAddress.getByName("127.0.0.1"), n.publicPort(), InetAddress.getByName(source), 0)) {
      SSLParameters p = s.getSSLParameters();
      p.setApplicationProtocols(new String[] {"http/1.1"});
      s.setSSLParameters(p);
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET /app HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      byte[] head = s.getInputStream().readNBytes(12);
      return Integer.parseInt(new String(head, StandardCharsets.ISO_8859_1).substring(9, 12));
    }
  }
}
