package com.timereg.gateway.breach;

import com.timereg.hibp.HibpSetHeader;
import com.timereg.hibp.HibpSetParameters;
import com.timereg.hibp.HibpSetWriter;
import com.timereg.hibp.Sha1;
import com.timereg.hibp.build.SetBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes small sets from plaintext passwords in memory, through the hibp-loader writer: for dev
 * mode's demo set and for tests. Real sets come from {@code bin/hibp-loader build}, which streams
 * a HIBP download in constant memory; this sorts everything in memory, fine up to a few million.
 */
public final class BreachSetFiles {
  private BreachSetFiles() {}

  private record Entry(long hi, long lo, long count) {}

  private static final Comparator<Entry> BY_HASH = (a, b) -> {
    int c = Long.compareUnsigned(a.hi, b.hi);
    return c != 0 ? c : Long.compareUnsigned(a.lo, b.lo);
  };

  /**
   * Writes {@code passwords} (with their breach counts, at least 1) and {@code filler} random
   * hashes with HIBP-like counts to a temporary file beside {@code target}, then renames it over
   * {@code target} atomically, so a gateway watching the path sees either the old set or the new.
   *
   * @return the entry count written
   */
  public static long write(Path target, Map<String, Long> passwords, int filler, long seed, Instant buildTime)
      throws IOException {
    List<Entry> entries = new ArrayList<>(passwords.size() + filler);
    passwords.forEach((password, count) -> {
      ByteBuffer sha1 = ByteBuffer.wrap(Sha1.ofPassword(password));
      entries.add(new Entry(sha1.getLong(), sha1.getLong(), Math.max(1, count)));
    });
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < filler; i++) {
      entries.add(new Entry(random.nextLong(), random.nextLong(), paretoCount(random)));
    }
    entries.sort(BY_HASH);
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, "." + target.getFileName() + "-", ".tmp");
    try {
      HibpSetHeader header;
      HibpSetParameters parameters = HibpSetParameters.forMaxEntries(entries.size(),
          HibpSetParameters.DEFAULT_MAX_FALSE_POSITIVE_RATE);
      try (HibpSetWriter writer = HibpSetWriter.create(temp, parameters, buildTime)) {
        for (Entry e : entries) {
          writer.add(e.hi, e.lo, e.count);
        }
        header = writer.finish();
      }
      Files.setPosixFilePermissions(temp, SetBuilder.permissionsFor(target));
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      return header.entryCount();
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** As in HIBP, roughly: P(count >= k) = k^-1.2, so a little over half were seen once. */
  private static long paretoCount(SplittableRandom random) {
    double u = 1.0 - random.nextDouble();
    return (long) Math.min(1e8, Math.floor(Math.pow(u, -1 / 1.2)));
  }
}
