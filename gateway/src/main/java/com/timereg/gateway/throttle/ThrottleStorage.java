package com.timereg.gateway.throttle;

import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two maps of the throttle, clients and ranges, opened together and closed together.
 *
 * @param clients one record per client key
 * @param ranges one record per range key
 */
public record ThrottleStorage(ThrottleStore clients, ThrottleStore ranges) implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ThrottleStorage.class);

  public static ThrottleStorage inMemory(long clientEntries, long rangeEntries) {
    return new ThrottleStorage(new InMemoryThrottleStore(clientEntries), new InMemoryThrottleStore(rangeEntries));
  }

  /**
   * Opens persisted maps in {@code settings.dataDirectory()}. A map that cannot be created at all
   * (unwritable directory, full disk) is replaced by a heap map with one error line, so the gateway
   * still starts and still counts; counters are then lost at restart.
   */
  public static ThrottleStorage open(ThrottleStorageSettings settings) {
    return new ThrottleStorage(
        openOrHeap(settings.dataDirectory(), "clients", settings.clientEntries()),
        openOrHeap(settings.dataDirectory(), "ranges", settings.rangeEntries()));
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
      ranges.close();
    }
  }
}
