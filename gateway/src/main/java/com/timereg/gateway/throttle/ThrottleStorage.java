package com.timereg.gateway.throttle;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two maps of the throttle, clients and ranges, opened together and closed together.
 *
 * @param clients one record per client key
 * @param ranges one record per range key
 * @param lock what keeps other processes from opening the same persisted maps, released at close (or nothing)
 */
public record ThrottleStorage(ThrottleStore clients, ThrottleStore ranges, AutoCloseable lock) implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ThrottleStorage.class);
  static final String LOCK_FILE = "throttle.lock";

  public ThrottleStorage(ThrottleStore clients, ThrottleStore ranges) {
    this(clients, ranges, () -> {});
  }

  public static ThrottleStorage inMemory(long clientEntries, long rangeEntries) {
    return new ThrottleStorage(new InMemoryThrottleStore(clientEntries), new InMemoryThrottleStore(rangeEntries));
  }

  /**
   * Opens persisted maps in {@code settings.dataDirectory()}. A map that cannot be created at all
   * (unwritable directory, full disk) is replaced by a heap map with one error line, so the gateway
   * still starts and still counts; counters are then lost at restart.
   *
   * @throws IllegalStateException when another gateway (process) has the maps of this directory open: two
   *     processes on one set of maps would each recover the files the other is using after a crash of either
   */
  public static ThrottleStorage open(ThrottleStorageSettings settings) {
    AutoCloseable lock = lock(settings.dataDirectory());
    try {
      return new ThrottleStorage(
          openOrHeap(settings.dataDirectory(), "clients", settings.clientEntries()),
          openOrHeap(settings.dataDirectory(), "ranges", settings.rangeEntries()),
          lock);
    } catch (RuntimeException | Error e) {
      closeQuietly(lock);
      throw e;
    }
  }

  /** An exclusive lock on the directory's lock file; nothing when the directory cannot be written at all. */
  private static AutoCloseable lock(Path dir) {
    FileChannel channel;
    try {
      Files.createDirectories(dir);
      channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      // The maps will not be created there either: they fall back to the heap, which needs no lock.
      return () -> {};
    }
    FileLock held;
    try {
      held = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      held = null;
    } catch (IOException e) {
      closeQuietly(channel);
      return () -> {};
    }
    if (held == null) {
      closeQuietly(channel);
      throw new IllegalStateException("the throttle maps in " + dir + " are in use by another gateway; give each"
          + " gateway process a data-dir of its own");
    }
    return channel::close;
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // nothing more to release
    }
  }

  private static ThrottleStore openOrHeap(Path dir, String name, long entries) {
    try {
      return ChronicleThrottleStore.open(dir, name, entries);
    } catch (IOException | RuntimeException e) {
      LOG.error("Cannot create throttle map {} in {} ({}); counting in memory only until restart",
          name, dir, e.toString());
      return new InMemoryThrottleStore(entries);
    }
  }

  @Override
  public void close() {
    try {
      clients.close();
    } finally {
      try {
        ranges.close();
      } finally {
        closeQuietly(lock);
      }
    }
  }
}
