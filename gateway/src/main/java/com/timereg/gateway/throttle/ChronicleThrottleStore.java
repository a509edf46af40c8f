package com.timereg.gateway.throttle;

import com.timereg.gateway.clientip.AddressKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * A {@link ThrottleStore} in a memory-mapped, file-persisted Chronicle Map with constant-size
 * byte-array keys and values. {@link ChronicleMapFiles} opens, recovers or rebuilds the file.
 *
 * <p>Chronicle runs {@code compute} under the segment's update lock, so each update is atomic
 * across threads (and across processes sharing the file, though we never share it).
 */
public final class ChronicleThrottleStore implements ThrottleStore {
  private static final ThreadLocal<byte[][]> BUFFERS =
      ThreadLocal.withInitial(() -> new byte[][] {new byte[AddressKey.SIZE], new byte[RateRecord.SIZE]});

  private final ChronicleMap<byte[], byte[]> map;
  private final Path file;
  private final long capacity;
  private final AtomicLong size;
  /** {@link #blockedAtMostUntil}: from the records found at opening, then raised by every update. */
  private final AtomicLong horizon = new AtomicLong();

  ChronicleThrottleStore(ChronicleMap<byte[], byte[]> map, Path file, long capacity) {
    this.map = map;
    this.file = file;
    this.capacity = capacity;
    this.size = new AtomicLong(map.longSize());
    map.forEachEntry(entry -> {
      byte[] value = entry.value().get();
      if (value != null && value.length == RateRecord.SIZE) {
        horizon.accumulateAndGet(RateRecord.blockedUntilOf(value), Math::max);
      }
    });
  }

  /**
   * Opens (or recovers, or rebuilds) the map file for {@code name} in {@code dataDirectory}.
   *
   * @throws IOException when even a fresh file cannot be created (e.g. an unwritable directory)
   */
  public static ChronicleThrottleStore open(Path dataDirectory, String name, long entries) throws IOException {
    return ChronicleMapFiles.open(dataDirectory, name, entries);
  }

  public Path file() {
    return file;
  }

  @Override
  public RateRecord get(AddressKey key) {
    byte[] value = map.get(key.toBytes());
    return value == null ? null : decodeOrNull(value);
  }

  @Override
  public long blockedUntil(AddressKey key) {
    byte[][] buffers = BUFFERS.get();
    key.copyTo(buffers[0], 0);
    byte[] value = map.getUsing(buffers[0], buffers[1]);
    return value == null || value.length != RateRecord.SIZE ? 0L : RateRecord.blockedUntilOf(value);
  }

  @Override
  public long blockedAtMostUntil() {
    return horizon.get();
  }

  @Override
  public <R> R update(AddressKey key, boolean mayCreate, Updater<R> updater) {
    Object[] result = new Object[1];
    map.compute(key.toBytes(), (k, old) -> {
      RateRecord current = old == null ? null : decodeOrNull(old);
      if (old == null && !mayCreate) {
        return null;
      }
      boolean existed = current != null;
      RateRecord record = existed ? current : new RateRecord();
      result[0] = updater.apply(record, existed);
      if (old == null) {
        size.incrementAndGet();
      }
      // Before the new record is stored: a reader that finds the old horizon cannot find the new block either.
      horizon.accumulateAndGet(record.blockedUntil, Math::max);
      return record.encode();
    });
    @SuppressWarnings("unchecked")
    R r = (R) result[0];
    return r;
  }

  @Override
  public boolean remove(AddressKey key) {
    boolean removed = map.remove(key.toBytes()) != null;
    if (removed) {
      size.decrementAndGet();
    }
    return removed;
  }

  @Override
  public long removeIf(BiPredicate<AddressKey, RateRecord> predicate) {
    long[] removed = {0};
    map.forEachEntry(entry -> {
      byte[] k = entry.key().get();
      RateRecord r = decodeOrNull(entry.value().get());
      // An undecodable value is a damaged entry: dropping it is the only sane repair.
      if (r == null || predicate.test(AddressKey.fromBytes(k), r)) {
        entry.doRemove();
        removed[0]++;
      }
    });
    size.set(map.longSize());
    return removed[0];
  }

  @Override
  public void forEach(BiConsumer<AddressKey, RateRecord> visitor) {
    map.forEachEntry(entry -> {
      RateRecord r = decodeOrNull(entry.value().get());
      if (r != null) {
        visitor.accept(AddressKey.fromBytes(entry.key().get()), r);
      }
    });
  }

  @Override
  public long size() {
    return size.get();
  }

  @Override
  public long capacity() {
    return capacity;
  }

  @Override
  public void close() {
    if (map.isOpen()) {
      map.close();
      ChronicleMapFiles.markClean(file);
    }
  }

  private static RateRecord decodeOrNull(byte[] value) {
    try {
      return RateRecord.decode(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
