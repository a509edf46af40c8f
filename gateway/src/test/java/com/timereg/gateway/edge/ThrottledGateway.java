package com.timereg.gateway.edge;

import com.timereg.gateway.demo.DemoBackend;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.SourceClient;
import com.timereg.gateway.testsupport.TestAccounts;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.HashMap;
import java.util.Map;

/**
 * An in-process gateway for end-to-end throttling tests: the real composition root in front of the
 * demo backend, with real PostgreSQL, and clients that connect from chosen 127.x.y.z addresses.
 */
final class ThrottledGateway implements AutoCloseable {
  /** A password good enough for any policy; it is only ever sent to the gateway under test. */
  static final String PASSWORD = "Correct-horse-battery-staple-2026";

  private final Vertx backendVertx;
  private final Vertx clientVertx;
  private final Gateway gateway;

  private ThrottledGateway(Vertx backendVertx, Vertx clientVertx, Gateway gateway) {
    this.backendVertx = backendVertx;
    this.clientVertx = clientVertx;
    this.gateway = gateway;
  }

  /**
   * Starts the demo backend and a gateway in front of it. Small maps and the lowest PBKDF2 cost
   * keep the test cheap; everything else is the production default unless {@code overrides} says.
   */
  static ThrottledGateway start(Path dir, TestDatabase db, Map<String, String> overrides) throws Exception {
    return start(dir, db, overrides, java.time.Clock.systemUTC());
  }

  /** {@link #start}, with the throttle counting by {@code throttleClock} (e.g. a ManualClock, so time passes without sleeping). */
  static ThrottledGateway start(Path dir, TestDatabase db, Map<String, String> overrides, java.time.Clock throttleClock)
      throws Exception {
    Vertx backendVertx = Vertx.vertx();
    int backendPort = Await.await(new DemoBackend(backendVertx, DemoBackend.Options.DEFAULTS).start("127.0.0.1", 0));
    Map<String, String> env = new HashMap<>(Map.of(
        "GATEWAY_BACKEND__URL", "http://127.0.0.1:" + backendPort,
        "GATEWAY_PASSWORD__ITERATIONS", Integer.toString(TestAccounts.ITERATIONS),
        "GATEWAY_THROTTLE__CLIENT_ENTRIES", "10000",
        "GATEWAY_THROTTLE__RANGE_ENTRIES", "2000",
        "GATEWAY_PUBLIC__EVENT_LOOPS", "2"));
    env.putAll(overrides);
    try {
      Gateway gateway = Gateway.start(TestGateways.config(dir, db, env), throttleClock);
      return new ThrottledGateway(backendVertx, Vertx.vertx(), gateway);
    } catch (Exception | Error e) {
      backendVertx.close();
      throw e;
    }
  }

  /** {@link #start}, after creating {@code user} (customer acme, {@link #PASSWORD}). */
  static ThrottledGateway startWithUser(Path dir, TestDatabase db, String user, Map<String, String> overrides)
      throws Exception {
    try (Connection c = db.openJdbc()) {
      TestAccounts.createUser(c, "acme", user, PASSWORD);
    }
    return start(dir, db, overrides);
  }

  /** For a class's {@code @AfterAll}: closes {@code gw} unless its start failed. */
  static void closeIfStarted(ThrottledGateway gw) {
    if (gw != null) {
      gw.close();
    }
  }

  Gateway gateway() {
    return gateway;
  }

  /** A client whose connections come from {@code source}, e.g. "127.0.5.1". */
  SourceClient from(String source) {
    return new SourceClient(clientVertx, source, gateway.publicPort());
  }

  String metrics() {
    try (SourceClient admin = SourceClient.admin(clientVertx, gateway.adminPort())) {
      return admin.metrics();
    }
  }

  @Override
  public void close() {
    gateway.stop();
    Await.await(clientVertx.close());
    Await.await(backendVertx.close());
  }
}
