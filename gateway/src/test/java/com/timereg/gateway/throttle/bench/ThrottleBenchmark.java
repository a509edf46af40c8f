package com.timereg.gateway.throttle.bench;

import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.throttle.BlockRegistry;
import com.timereg.gateway.throttle.Decision;
import com.timereg.gateway.throttle.FailureKind;
import com.timereg.gateway.throttle.FailureResult;
import com.timereg.gateway.throttle.ThrottlePolicy;
import com.timereg.gateway.throttle.ThrottleMetrics;
import com.timereg.gateway.throttle.ThrottleService;
import com.timereg.gateway.throttle.ThrottleStorage;
import com.timereg.gateway.throttle.ThrottleStorageSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Throughput of the block check (the per-request cost) and of counting an invalid login, on the
 * heap store and on the Chronicle store. Run: {@code bench/jmh ThrottleBenchmark -f 1 -wi 3 -i 5}.
 *
 * <p>Addresses are spread over 4096 ranges of 250 clients, so counting touches many keys and
 * some checks hit blocked clients, as under a distributed attack. {@code checkWhileNobodyIsBlocked} checks
 * the same addresses against a second service whose stores hold no block: the usual case, where the check
 * reads no map ({@code ThrottleStore.blockedAtMostUntil}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class ThrottleBenchmark {
  private static final int ADDRESSES = 1 << 16;

  @Param({"memory", "chronicle"})
  public String store;

  private Path dir;
  private Path quietDir;
  private ThrottleStorage storage;
  private ThrottleStorage quietStorage;
  private ThrottleService service;
  private ThrottleService quiet;
  private InetAddress[] addresses;
  private InetAddress blocked;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    if (store.equals("chronicle")) {
      dir = Files.createTempDirectory("throttle-bench");
      storage = ThrottleStorage.open(new ThrottleStorageSettings(dir, 1_000_000, 250_000));
      quietDir = Files.createTempDirectory("throttle-bench-quiet");
      quietStorage = ThrottleStorage.open(new ThrottleStorageSettings(quietDir, 1_000_000, 250_000));
    } else {
      storage = ThrottleStorage.inMemory(1_000_000, 250_000);
      quietStorage = ThrottleStorage.inMemory(1_000_000, 250_000);
    }
    service = new ThrottleService(ThrottlePolicy.DEFAULTS, new ClientKeys(ClientKeyPolicy.DEFAULTS),
        storage.clients(), storage.ranges(), new BlockRegistry(), Clock.systemUTC(), ThrottleMetrics.NOOP, Runnable::run);
    quiet = new ThrottleService(ThrottlePolicy.DEFAULTS, new ClientKeys(ClientKeyPolicy.DEFAULTS),
        quietStorage.clients(), quietStorage.ranges(), new BlockRegistry(), Clock.systemUTC(), ThrottleMetrics.NOOP,
        Runnable::run);
    addresses = new InetAddress[ADDRESSES];
    for (int i = 0; i < ADDRESSES; i++) {
      addresses[i] = address(10, (i >> 12) & 0xff, (i >> 4) & 0xff, 1 + (i & 0xf) * 15);
    }
    blocked = address(192, 0, 2, 1);
    for (int i = 0; i < 10; i++) {
      service.recordFailure(blocked, "bench", FailureKind.WRONG_PASSWORD);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    storage.close();
    quietStorage.close();
    for (Path d : new Path[] {dir, quietDir}) {
      if (d != null) {
        try (Stream<Path> files = Files.walk(d)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  /** Per-thread position, so threads do not share a counter. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    InetAddress pick(InetAddress[] addresses) {
      next = (next + 7919) & (ADDRESSES - 1);
      return addresses[next];
    }
  }

  @Benchmark
  public Decision checkMostlyAllowed(Cursor cursor) {
    return service.check(cursor.pick(addresses));
  }

  @Benchmark
  public Decision checkWhileNobodyIsBlocked(Cursor cursor) {
    return quiet.check(cursor.pick(addresses));
  }

  @Benchmark
  public Decision checkBlocked() {
    return service.check(blocked);
  }

  @Benchmark
  public FailureResult recordFailure(Cursor cursor) {
    return service.recordFailure(cursor.pick(addresses), "bench-user", FailureKind.WRONG_PASSWORD);
  }

  private static InetAddress address(int a, int b, int c, int d) {
    try {
      return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
