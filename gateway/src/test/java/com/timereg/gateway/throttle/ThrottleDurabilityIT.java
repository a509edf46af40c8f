package com.timereg.gateway.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.RunningGateway;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.SourceClient;
import com.timereg.gateway.testsupport.SourceClient.Reply;
import com.timereg.gateway.testsupport.TestAccounts;
import io.vertx.core.Vertx;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged gateway, killed with SIGKILL or given a damaged map file, restarted on the same
 * data directory. Each test runs its own node(s) against this class's PostgreSQL database.
 */
@ExtendWith(PostgresExtension.class)
class ThrottleDurabilityIT {
  static final String USER = "dora@acme.test";
  static final String PASSWORD = "Correct-horse-battery-staple-2026";
  static final Map<String, String> JSON = Map.of("Accept", "application/json");

  @TempDir Path dir;
  Vertx vertx;
  Map<String, String> env;

  @BeforeEach
  void setUp(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    env = RunningGateway.environment(dir.resolve("data"), db.settings(), RunningGateway.writeSigningKey(dir.resolve("signing.pem")));
    env.put("GATEWAY_THROTTLE__IP_FAILURE_LIMIT", "3");
    try (Connection c = db.openJdbc()) {
      TestAccounts.createUser(c, "acme", USER, PASSWORD);
    }
  }

  @AfterEach
  void tearDown() {
    Await.await(vertx.close());
  }

  /**
   * Proves the map files carry the state: the automatic block's row is deleted from PostgreSQL
   * while the node is dead, so after the restart only the Chronicle file can still know it; and a
   * failure counter, which is never written to PostgreSQL, goes on from where it was.
   */
  @Test
  void blocksAndCountersSurviveKillDashNineInTheMapFilesAlone(TestDatabase db) throws Exception {
    long retryBefore;
    try (RunningGateway node = RunningGateway.start(dir, env)) {
      try (SourceClient blocked = client(node, "127.0.16.1"); SourceClient counted = client(node, "127.0.16.2")) {
        assertThat(blocked.failUntilBlocked(10, Map.of())).isEqualTo(3);
        retryBefore = Long.parseLong(blocked.get("/anything", JSON).header("Retry-After"));
        assertThat(counted.failLogin().status()).isEqualTo(401);
        assertThat(counted.failLogin().status()).isEqualTo(401);
      }
      awaitBlockRow(db, "127.0.16.1/32");
      node.kill();
    }
    assertThat(markers()).as("nothing was closed cleanly").isEmpty();
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      assertThat(s.executeUpdate("DELETE FROM blocks WHERE cidr = '127.0.16.1/32'")).isEqualTo(1);
    }

    try (RunningGateway node = RunningGateway.start(dir, env)) {
      assertThat(node.linesContaining("was not closed cleanly; recovered it")).hasSize(2);
      try (SourceClient blocked = client(node, "127.0.16.1"); SourceClient counted = client(node, "127.0.16.2");
          SourceClient neighbour = client(node, "127.0.16.3")) {
        Reply r = blocked.get("/anything", JSON);
        assertThat(r.status()).isEqualTo(429);
        assertThat(Long.parseLong(r.header("Retry-After"))).as("the same block, running down")
            .isLessThanOrEqualTo(retryBefore).isGreaterThan(retryBefore - 300);

        assertThat(counted.failLogin().status()).as("third failure, two of them before the kill").isEqualTo(401);
        assertThat(counted.get("/anything", JSON).status()).isEqualTo(429);

        assertThat(neighbour.token(USER, PASSWORD).status()).isEqualTo(200);
      }
      assertThat(node.stop()).isEqualTo(RunningGateway.EXIT_AFTER_SIGTERM);
    }
    assertThat(markers()).as("a clean stop marks both maps").hasSize(2);
  }

  @Test
  void aDamagedMapFileIsMovedAsideWithOneLogLineAndTheNodeWorks(TestDatabase db) throws Exception {
    try (RunningGateway node = RunningGateway.start(dir, env)) {
      try (SourceClient attacker = client(node, "127.0.17.1")) {
        attacker.failUntilBlocked(10, Map.of());
      }
      awaitBlockRow(db, "127.0.17.1/32");
      assertThat(node.stop()).isEqualTo(RunningGateway.EXIT_AFTER_SIGTERM);
    }
    Path clients = mapFile("clients-");
    try (RandomAccessFile raf = new RandomAccessFile(clients.toFile(), "rw")) {
      byte[] garbage = new byte[4096];
      new java.util.Random(11).nextBytes(garbage);
      raf.write(garbage);
    }

    try (RunningGateway node = RunningGateway.start(dir, env)) {
      List<String> damaged = node.linesContaining("is damaged");
      assertThat(damaged).hasSize(1);
      assertThat(damaged.get(0)).contains("WARN").contains(clients.getFileName().toString()).contains("moved it to");
      assertThat(node.output()).doesNotContain("Exception in thread").doesNotContain("\tat ");
      try (Stream<Path> files = Files.list(clients.getParent())) {
        assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith(clients.getFileName() + ".damaged-"));
      }
      try (SourceClient attacker = client(node, "127.0.17.1"); SourceClient other = client(node, "127.0.17.2");
          SourceClient user = client(node, "127.0.17.3")) {
        assertThat(attacker.get("/anything", JSON).status())
            .as("the block itself comes back from PostgreSQL, only the counters are lost").isEqualTo(429);
        assertThat(other.failUntilBlocked(10, Map.of())).as("the new map counts").isEqualTo(3);
        assertThat(user.token(USER, PASSWORD).status()).isEqualTo(200);
      }
      try (SourceClient admin = SourceClient.admin(vertx, node.adminPort())) {
        assertThat(admin.get("/health/ready", Map.of()).status()).isEqualTo(200);
      }
      assertThat(node.stop()).isEqualTo(RunningGateway.EXIT_AFTER_SIGTERM);
    }
  }

  private SourceClient client(RunningGateway node, String source) {
    return new SourceClient(vertx, source, node.publicPort());
  }

  /** The automatic block is written to PostgreSQL asynchronously; wait for it before pulling the plug. */
  static void awaitBlockRow(TestDatabase db, String cidr) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      while (true) {
        try (ResultSet r = s.executeQuery("SELECT count(*) FROM blocks WHERE kind = 'automatic' AND cidr = '" + cidr + "'")) {
          r.next();
          if (r.getInt(1) > 0) {
            return;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no row for the automatic block of " + cidr + " after 10 s");
        }
        Thread.sleep(50);
      }
    }
  }

  private Path mapFile(String prefix) throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve("data").resolve("throttle"))) {
      return files.filter(p -> p.getFileName().toString().startsWith(prefix) && p.toString().endsWith(".dat"))
          .findFirst().orElseThrow();
    }
  }

  private List<Path> markers() throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve("data").resolve("throttle"))) {
      return files.filter(p -> p.toString().endsWith(".clean")).toList();
    }
  }
}
