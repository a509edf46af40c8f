package com.timereg.gateway.throttle;

import com.timereg.gateway.clientip.AddressKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opening a map file so that it survives restarts and {@code kill -9}: a clean close leaves a
 * marker; without the marker the file is opened with Chronicle's recovery; a file that cannot be
 * opened either way is renamed aside and replaced by an empty one, with one log line. A damaged
 * file must never turn into a crash loop: losing counters is far cheaper than a gateway that will
 * not start.
 */
final class ChronicleMapFiles {
  private static final Logger LOG = LoggerFactory.getLogger(ChronicleMapFiles.class);
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  private ChronicleMapFiles() {}

  /**
   * The file name carries the record format and the capacity: a file written with other settings
   * is never reinterpreted with the wrong layout or sizing, a new one is started beside it.
   */
  static Path fileFor(Path dataDirectory, String name, long entries) {
    return dataDirectory.resolve(name + "-f" + RateRecord.FORMAT + "-e" + entries + ".dat");
  }

  static Path markerFor(Path file) {
    return file.resolveSibling(file.getFileName() + ".clean");
  }

  static ChronicleThrottleStore open(Path dataDirectory, String name, long entries) throws IOException {
    if (entries < 1) {
      throw new IllegalArgumentException("entries must be positive");
    }
    Files.createDirectories(dataDirectory);
    Path file = fileFor(dataDirectory, name, entries);
    ChronicleMapBuilder<byte[], byte[]> builder = builder(name, entries);
    boolean existed = Files.exists(file);
    if (existed) {
      try {
        if (Files.size(file) == 0) {
          // Chronicle takes an empty file for a new map: every counter and block would be gone without a word.
          throw new IOException("the file is empty");
        }
        return new ChronicleThrottleStore(reopen(builder, file), file, entries);
      } catch (Exception | LinkageError | InternalError e) {
        // InternalError: the JVM's translation of a fault while touching a damaged mapping.
        Path aside = moveAside(file);
        LOG.warn("Throttle map {} is damaged ({}: {}); moved it to {} and started an empty one, "
            + "so its counters and automatic blocks start from zero", file, e.getClass().getSimpleName(),
            e.getMessage(), aside.getFileName());
      }
    }
    Files.deleteIfExists(markerFor(file));
    ChronicleMap<byte[], byte[]> map = builder.createPersistedTo(file.toFile());
    if (!existed) {
      carryOver(dataDirectory, name, file, entries, map);
    }
    return new ChronicleThrottleStore(map, file, entries);
  }

  private static ChronicleMapBuilder<byte[], byte[]> builder(String name, long entries) {
    return ChronicleMap.of(byte[].class, byte[].class)
        .name(name)
        .entries(entries)
        .constantKeySizeBySample(new byte[AddressKey.SIZE])
        .constantValueSizeBySample(new byte[RateRecord.SIZE])
        // Chronicle's own exit hook would close the map as soon as the JVM starts shutting down,
        // while requests are still being answered, and before our close could mark it clean: every
        // orderly stop would then look like a crash. The gateway closes the maps itself, after its
        // listeners. (The flag is stored in the file's header, so a file created before this line
        // keeps the hook and is recovered at each start, harmlessly.)
        .skipCloseOnExitHook(true);
  }

  /**
   * Copies the records of this map's file written under another capacity into the new file, then deletes
   * the old one. Changing client-entries or range-entries (raising it is the remedy for a full map) would
   * otherwise silently cost the node its counters and every repeat offender's escalation level. When the
   * new capacity is smaller, keys that were ever blocked go first: they carry the block and its escalation.
   */
  private static void carryOver(Path dir, String name, Path file, long entries, ChronicleMap<byte[], byte[]> into) {
    Path previous = previousFile(dir, name, file);
    if (previous == null) {
      return;
    }
    long found;
    try (ChronicleMap<byte[], byte[]> old = reopen(builder(name, entriesOf(previous)), previous)) {
      found = old.longSize();
      for (boolean everBlocked : new boolean[] {true, false}) {
        old.forEachEntry(entry -> {
          byte[] value = entry.value().get();
          if (value != null && value.length == RateRecord.SIZE
              && (RateRecord.blockedUntilOf(value) > 0) == everBlocked && into.longSize() < entries) {
            into.put(entry.key().get(), value);
          }
        });
      }
    } catch (Exception | LinkageError | InternalError e) {
      LOG.warn("Throttle map {} was written for another capacity and cannot be read ({}: {}); {} starts empty "
          + "and the old file stays where it is", previous, e.getClass().getSimpleName(), e.getMessage(), file);
      return;
    }
    try {
      Files.deleteIfExists(markerFor(previous));
      Files.deleteIfExists(previous);
    } catch (IOException e) {
      LOG.warn("Could not delete the replaced throttle map {} ({})", previous, e.getMessage());
    }
    LOG.warn("Throttle map {} was written for {} entries; carried {} of its {} records over to {}", previous,
        entriesOf(previous), into.longSize(), found, file.getFileName());
  }

  /** The newest file of this map and record format under another capacity, or null. */
  private static Path previousFile(Path dir, String name, Path file) {
    Pattern pattern = Pattern.compile(Pattern.quote(name + "-f" + RateRecord.FORMAT + "-e") + "[0-9]{1,18}\\.dat");
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> !p.equals(file) && pattern.matcher(p.getFileName().toString()).matches())
          .max(Comparator.comparing(ChronicleMapFiles::modified)).orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  private static long entriesOf(Path file) {
    String n = file.getFileName().toString();
    return Long.parseLong(n.substring(n.lastIndexOf("-e") + 2, n.length() - ".dat".length()));
  }

  private static FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  private static ChronicleMap<byte[], byte[]> reopen(ChronicleMapBuilder<byte[], byte[]> builder, Path file)
      throws IOException {
    Path marker = markerFor(file);
    if (Files.deleteIfExists(marker)) {
      // The marker goes before use: a crash from here on must lead to recovery next time.
      return builder.createPersistedTo(file.toFile());
    }
    AtomicInteger corruptions = new AtomicInteger();
    AtomicReference<String> first = new AtomicReference<>();
    ChronicleMap<byte[], byte[]> map = builder.recoverPersistedTo(file.toFile(), true, c -> {
      corruptions.incrementAndGet();
      first.compareAndSet(null, c.message());
    });
    if (corruptions.get() > 0) {
      LOG.warn("Throttle map {} was not closed cleanly; recovered it, repairing {} problem(s) (first: {})",
          file, corruptions.get(), first.get());
    } else {
      LOG.info("Throttle map {} was not closed cleanly; recovered it with {} entries", file, map.longSize());
    }
    return map;
  }

  static void markClean(Path file) {
    try {
      Files.writeString(markerFor(file), "closed cleanly\n");
    } catch (IOException e) {
      LOG.warn("Could not mark throttle map {} as closed cleanly ({}); it will be recovered at next start",
          file, e.getMessage());
    }
  }

  private static Path moveAside(Path file) throws IOException {
    String stamp = STAMP.format(ZonedDateTime.now(ZoneOffset.UTC));
    Path aside = file.resolveSibling(file.getFileName() + ".damaged-" + stamp);
    for (int i = 1; Files.exists(aside); i++) {
      aside = file.resolveSibling(file.getFileName() + ".damaged-" + stamp + "-" + i);
    }
    Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
    Files.deleteIfExists(markerFor(file));
    return aside;
  }
}
