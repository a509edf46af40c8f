package com.timereg.gateway.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.clientip.AddressKey;
import com.timereg.gateway.clientip.IpLiterals;
import java.io.RandomAccessFile;
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
}
