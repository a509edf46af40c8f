package com.timereg.gateway.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.clientip.ClientKeys;
import java.time.Duration;

import com.timereg.gateway.clientip.AddressKey;
import com.timereg.gateway.clientip.IpLiterals;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChronicleThrottleStoreTest {
  @TempDir Path dir;

  private static AddressKey key(String ip) {
    return AddressKey.of(IpLiterals.parse(ip), 32);
  }

  private static void putBlocked(ThrottleStore store, String ip, long until) {
    store.update(key(ip), true, (r, existed) -> {
      r.blockedUntil = until;
      r.totalFailures = 7;
      return null;
    });
  }

  @Test
  void keepsRecordsAcrossCloseAndReopen() throws Exception {
    try (ChronicleThrottleStore store = ChronicleThrottleStore.open(dir, "clients", 1000)) {
      putBlocked(store, "192.0.2.1", 12345L);
    }
    assertThat(Files.exists(ChronicleMapFiles.markerFor(ChronicleMapFiles.fileFor(dir, "clients", 1000)))).isTrue();
    try (ChronicleThrottleStore store = ChronicleThrottleStore.open(dir, "clients", 1000)) {
      assertThat(store.blockedUntil(key("192.0.2.1"))).isEqualTo(12345L);
      assertThat(store.get(key("192.0.2.1")).totalFailures()).isEqualTo(7);
      assertThat(store.size()).isEqualTo(1);
    }
  }

  /** The horizon that lets a check skip the map: from the records found on opening, raised by every block. */
  @Test
  void noKeyIsBlockedBeyondTheHorizonWhichTheRecordsOnDiskAndEveryNewBlockRaise() throws Exception {
    try (ChronicleThrottleStore store = ChronicleThrottleStore.open(dir, "clients", 1000)) {
      assertThat(store.blockedAtMostUntil()).isZero();
      putBlocked(store, "192.0.2.1", 12345L);
      assertThat(store.blockedAtMostUntil()).isEqualTo(12345L);
      putBlocked(store, "192.0.2.2", 999L);
      assertThat(store.blockedAtMostUntil()).as("never lowered").isEqualTo(12345L);
    }
    try (ChronicleThrottleStore store = ChronicleThrottleStore.open(dir, "clients", 1000)) {
      assertThat(store.blockedAtMostUntil()).as("from the file").isEqualTo(12345L);
    }
    InMemoryThrottleStore heap = new InMemoryThrottleStore(10);
    assertThat(heap.blockedAtMostUntil()).isZero();
    putBlocked(heap, "192.0.2.3", 777L);
    assertThat(heap.blockedAtMostUntil()).isEqualTo(777L);
  }

  /** Raising client-entries is the remedy for a full map: it must not cost the node its counters and escalation. */
  @Test
  void aNewCapacityCarriesTheRecordsOfTheFileWrittenUnderTheOldOne() throws Exception {
    try (ChronicleThrottleStore store = ChronicleThrottleStore.open(dir, "clients", 1000)) {
      putBlocked(store, "192.0.2.1", 12345L);
      putBlocked(store, "192.0.2.2", 999L);
    }
    try (ChronicleThrottleStore store = ChronicleThrottleStore.open(dir, "clients", 2000)) {
      assertThat(store.file()).isEqualTo(ChronicleMapFiles.fileFor(dir, "clients", 2000));
      assertThat(store.size()).isEqualTo(2);
      assertThat(store.blockedUntil(key("192.0.2.1"))).isEqualTo(12345L);
      assertThat(store.get(key("192.0.2.2")).totalFailures()).isEqualTo(7);
      assertThat(store.blockedAtMostUntil()).isEqualTo(12345L);
    }
    assertThat(Files.exists(ChronicleMapFiles.fileFor(dir, "clients", 1000))).as("the old file is gone").isFalse();
  }

  /** Shrinking keeps what matters first: keys with a block (or an escalation level) before merely counted ones. */
  @Test
  void aSmallerCapacityKeepsBlockedKeysBeforeCountedOnes() throws Exception {
    try (ChronicleThrottleStore store = ChronicleThrottleStore.open(dir, "clients", 100)) {
      for (int i = 1; i <= 80; i++) {
        store.update(key("198.51.100." + i), true, (r, existed) -> r.totalFailures = 1);
      }
      for (int i = 1; i <= 10; i++) {
        putBlocked(store, "192.0.2." + i, 5000L + i);
      }
    }
    try (ChronicleThrottleStore store = ChronicleThrottleStore.open(dir, "clients", 20)) {
      assertThat(store.size()).isEqualTo(20);
      for (int i = 1; i <= 10; i++) {
        assertThat(store.blockedUntil(key("192.0.2." + i))).isEqualTo(5000L + i);
      }
    }
  }

  @Test
  void recoversAFileThatWasNeverClosed() throws Exception {
    Path copy;
    try (ChronicleThrottleStore store = ChronicleThrottleStore.open(dir, "clients", 1000)) {
      putBlocked(store, "192.0.2.1", 555L);
      // A copy taken while the map is open looks exactly like the file after kill -9.
      Path crashed = dir.resolve("crashed");
      Files.createDirectories(crashed);
      copy = Files.copy(store.file(), crashed.resolve(store.file().getFileName()));
    }
    try (ChronicleThrottleStore store = ChronicleThrottleStore.open(copy.getParent(), "clients", 1000)) {
      assertThat(store.blockedUntil(key("192.0.2.1"))).isEqualTo(555L);
    }
  }

  @Test
  void movesAGarbageFileAsideAndStartsEmpty() throws Exception {
    Path file = ChronicleMapFiles.fileFor(dir, "clients", 1000);
    try (ChronicleThrottleStore store = ChronicleThrottleStore.open(dir, "clients", 1000)) {
      putBlocked(store, "192.0.2.1", 555L);
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      byte[] garbage = new byte[4096];
      new java.util.Random(1).nextBytes(garbage);
      raf.write(garbage);
    }
    try (ChronicleThrottleStore store = ChronicleThrottleStore.open(dir, "clients", 1000)) {
      assertThat(store.size()).isZero();
      putBlocked(store, "192.0.2.2", 1L);
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.contains(".damaged-"));
    }
  }

  @Test
  void movesATruncatedFileAsideOrRecoversIt() throws Exception {
    Path file = ChronicleMapFiles.fileFor(dir, "clients", 1000);
    try (ChronicleThrottleStore store = ChronicleThrottleStore.open(dir, "clients", 1000)) {
      putBlocked(store, "192.0.2.1", 555L);
    }
    Files.delete(ChronicleMapFiles.markerFor(file));
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(100);
    }
    try (ChronicleThrottleStore store = ChronicleThrottleStore.open(dir, "clients", 1000)) {
      putBlocked(store, "192.0.2.2", 1L);
      assertThat(store.blockedUntil(key("192.0.2.2"))).isEqualTo(1L);
    }
  }

  @Test
  void recoversAfterTheWritingProcessIsKilled() throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-") || a.startsWith("-Dchronicle")).toList());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), ChronicleCrashChild.class.getName(),
        dir.toString()));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
      String line;
      while ((line = out.readLine()) != null && !line.equals("written")) {
        // Chronicle's start-up chatter
      }
      assertThat(line).as("child output").isEqualTo("written");
      child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(Files.exists(ChronicleMapFiles.markerFor(ChronicleMapFiles.fileFor(dir, "clients", 1000)))).isFalse();

    try (ChronicleThrottleStore store = ChronicleThrottleStore.open(dir, "clients", 1000)) {
      assertThat(store.size()).isEqualTo(200);
      assertThat(store.blockedUntil(key("192.0.2.7"))).isEqualTo(1007L);
    }
  }

  @Test
  void concurrentUpdatesOfOneKeyAreAtomic() throws Exception {
    try (ChronicleThrottleStore store = ChronicleThrottleStore.open(dir, "clients", 1000)) {
      Thread[] threads = new Thread[4];
      for (int t = 0; t < threads.length; t++) {
        threads[t] = new Thread(() -> {
          for (int i = 0; i < 2000; i++) {
            store.update(key("192.0.2.1"), true, (r, existed) -> r.totalFailures++);
          }
        });
        threads[t].start();
      }
      for (Thread t : threads) {
        t.join();
      }
      assertThat(store.get(key("192.0.2.1")).totalFailures()).isEqualTo(8000);
    }
  }

  @Test
  void garbageInsideACleanlyClosedFileNeitherHangsNorCrashes() throws Exception {
    Path file = ChronicleMapFiles.fileFor(dir, "clients", 1000);
    try (ChronicleThrottleStore store = ChronicleThrottleStore.open(dir, "clients", 1000)) {
      for (int i = 1; i < 200; i++) {
        putBlocked(store, "192.0.2." + i, 555L);
      }
    }
    long size = Files.size(file);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      byte[] garbage = new byte[(int) Math.min(size / 2, 1 << 16)];
      new java.util.Random(7).nextBytes(garbage);
      raf.seek(size / 4);
      raf.write(garbage);
    }
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      ThrottleStorage storage = ThrottleStorage.open(new ThrottleStorageSettings(dir, 1000, 1000));
      ThrottleService service = new ThrottleService(ThrottlePolicy.DEFAULTS,
          new ClientKeys(ClientKeyPolicy.DEFAULTS), storage.clients(), storage.ranges(), new BlockRegistry(),
          java.time.Clock.systemUTC(), ThrottleMetrics.NOOP, Runnable::run);
      for (int i = 1; i < 250; i++) {
        service.check(IpLiterals.parse("192.0.2." + i));
        service.recordFailure(IpLiterals.parse("192.0.2." + i), "x", FailureKind.WRONG_PASSWORD);
      }
      service.maintain();
      service.activeBlocks(0, 10);
      storage.close();
    });
  }
}
