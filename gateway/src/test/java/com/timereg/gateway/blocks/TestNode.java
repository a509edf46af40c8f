package com.timereg.gateway.blocks;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.clientip.IpLiterals;
import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.DatabaseSettings;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.throttle.BlockEntry;
import com.timereg.gateway.throttle.BlockKind;
import com.timereg.gateway.throttle.BlockRegistry;
import com.timereg.gateway.throttle.FailureKind;
import com.timereg.gateway.throttle.FailureResult;
import com.timereg.gateway.throttle.Origin;
import com.timereg.gateway.throttle.ThrottleListener;
import com.timereg.gateway.throttle.ThrottleMetrics;
import com.timereg.gateway.throttle.ThrottlePolicy;
import com.timereg.gateway.throttle.ThrottleService;
import com.timereg.gateway.throttle.ThrottleStorage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** One gateway node in a test: its own throttle, pool and LISTEN connection on the shared database. */
final class TestNode {
  final String name;
  final ThrottleStorage storage = ThrottleStorage.inMemory(10_000, 10_000);
  final ThrottleService throttle;
  final Database database;
  final CountingMetrics metrics = new CountingMetrics();
  final BlockSync sync;
  /** Throttle events as "issued|lifted KIND subject ORIGIN". */
  final List<String> events = new CopyOnWriteArrayList<>();

  TestNode(Vertx vertx, TestDatabase db, String name, Clock clock, BlockSyncSettings settings) {
    this(vertx, db, db.databaseSettings(), name, clock, settings);
  }

  TestNode(Vertx vertx, TestDatabase db, DatabaseSettings databaseSettings, String name, Clock clock,
      BlockSyncSettings settings) {
    this(vertx, databaseSettings, name, clock, settings, ClientKeyPolicy.DEFAULTS);
  }

  /** A node whose client and range prefixes are {@code keys} (throttle.keys in the configuration). */
  TestNode(Vertx vertx, DatabaseSettings databaseSettings, String name, Clock clock, BlockSyncSettings settings,
      ClientKeyPolicy keys) {
    this.name = name;
    this.throttle = new ThrottleService(ThrottlePolicy.DEFAULTS, new ClientKeys(keys),
        storage.clients(), storage.ranges(), new BlockRegistry(), clock, ThrottleMetrics.NOOP, Runnable::run);
    throttle.addListener(new ThrottleListener() {
      @Override
      public void blockIssued(BlockEntry block, Origin origin) {
        events.add("issued " + block.kind() + " " + block.subject() + " " + origin);
      }

      @Override
      public void blockLifted(Cidr subject, BlockKind kind, Origin origin) {
        events.add("lifted " + kind + " " + subject + " " + origin);
      }
    });
    this.database = Database.create(vertx, databaseSettings);
    this.sync = new BlockSync(vertx, database, throttle, settings.withNodeId(new NodeId(name)), clock, metrics);
  }

  TestNode(Vertx vertx, TestDatabase db, String name, Clock clock) {
    this(vertx, db, name, clock, BlockSyncSettings.DEFAULTS);
  }

  Future<TestNode> start() {
    return sync.start().map(this);
  }

  Future<Void> close() {
    return sync.close().eventually(database::close).eventually(() -> {
      storage.close();
      return Future.succeededFuture();
    });
  }

  /** Invalid logins from {@code address}; the last result. */
  FailureResult fail(String address, int times) {
    FailureResult last = null;
    for (int i = 0; i < times; i++) {
      last = throttle.recordFailure(IpLiterals.parse(address), "someone", FailureKind.WRONG_PASSWORD);
    }
    return last;
  }

  boolean blocks(String address) {
    return !throttle.check(IpLiterals.parse(address)).allowed();
  }

  boolean allowlists(String address) {
    return throttle.registry().allowFor(IpLiterals.parse(address)) != null;
  }

  @Override
  public String toString() {
    return name;
  }
}
