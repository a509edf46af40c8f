package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.RunningGateway;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.TrustAllTls;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
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
  static final Duration PROPAGATION_BOUND = Duration.ofSeconds(1);
  static final String CLIENT = "127.0.0.77";

  @TempDir Path dir;

  private RunningGateway start(TestDatabase db, Path key, String nodeId) {
    Map<String, String> env = RunningGateway.environment(dir.resolve(nodeId), db.settings(), key);
    env.put("GATEWAY_THROTTLE__NODE_ID", nodeId);
    try {
      return RunningGateway.start(Files.createDirectories(dir.resolve(nodeId + "-conf")), env);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void blockAndUnblockOnOneProcessHoldOnTheOtherWithinASecond(TestDatabase db) throws Exception {
    Path key = RunningGateway.writeSigningKey(dir.resolve("signing.pem"));
    CompletableFuture<RunningGateway> startA = CompletableFuture.supplyAsync(() -> start(db, key, "gw-a"));
    CompletableFuture<RunningGateway> startB = CompletableFuture.supplyAsync(() -> start(db, key, "gw-b"));
    try (RunningGateway a = startA.join(); RunningGateway b = startB.join()) {
      run(a, b);
    }
  }

  private void run(RunningGateway a, RunningGateway b) throws Exception {
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
    assertThat(b.linesContaining("Exception")).isEmpty();
  }

  /** Status of one public request sent from {@code source}, a loopback address of this machine. */
  static int publicStatus(RunningGateway n, String source) throws Exception {
    SSLContext ctx = TrustAllTls.context();
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
