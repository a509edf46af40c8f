package com.timereg.gateway.breach;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the offline Have I Been Pwned set lives and how it is watched.
 *
 * @param setPath the set file built by {@code bin/hibp-loader build}; empty when none is configured
 * @param reloadInterval how often the file's identity (inode, modification time, size) is compared
 *     with the one in use; a replaced file is mapped and swapped in without a restart
 * @param allowWithoutSet accept new passwords without a breach check while no set is loaded; off by
 *     default, so a missing or unreadable set refuses password changes (login is not affected)
 * @param closeGrace how long a replaced set stays open for lookups that already hold it
 * @param hugePages map the set in 2 MiB pages where the kernel allows (Linux transparent huge pages in
 *     "madvise" or "always" mode): a lookup then misses no TLB entry, about a quarter faster on 10^8
 *     entries; false holds it to 4 KiB pages (docs/hibp.md)
 * @param verifyOnLoad read the whole file and check it (section checksums, structure, order) before using
 *     it, so a damaged body is refused rather than giving wrong answers; about a second per 100 MB of set,
 *     on a worker thread, while the previous set stays in use
 */
public record BreachSetSettings(
    Optional<Path> setPath,
    Duration reloadInterval,
    boolean allowWithoutSet,
    Duration closeGrace,
    boolean hugePages,
    boolean verifyOnLoad) {

  /** Often enough that a swap is live within a minute; a stat call costs microseconds. */
  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(30);
  /** Fail closed: no set, no password changes. */
  public static final boolean DEFAULT_ALLOW_WITHOUT_SET = false;
  /**
   * A lookup holds the set for well under a microsecond; ten seconds covers any pause of the
   * thread in between, and the mapping itself goes only when the garbage collector finds it unused.
   */
  public static final Duration DEFAULT_CLOSE_GRACE = Duration.ofSeconds(10);
  /** The set is read-only and lives as long as the process: the case huge pages are made for. */
  public static final boolean DEFAULT_HUGE_PAGES = true;
  /** Fail closed: a set is checked whole before it answers. */
  public static final boolean DEFAULT_VERIFY_ON_LOAD = true;

  public static final BreachSetSettings DEFAULTS = new BreachSetSettings(
      Optional.empty(), DEFAULT_RELOAD_INTERVAL, DEFAULT_ALLOW_WITHOUT_SET, DEFAULT_CLOSE_GRACE,
      DEFAULT_HUGE_PAGES, DEFAULT_VERIFY_ON_LOAD);

  public BreachSetSettings {
    Objects.requireNonNull(setPath, "setPath");
    List<String> errors = new ArrayList<>();
    if (reloadInterval == null || reloadInterval.toMillis() < 1) {
      errors.add("reloadInterval must be at least 1 ms");
    }
    if (closeGrace == null || closeGrace.isNegative()) {
      errors.add("closeGrace must not be negative");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
  }

  public BreachSetSettings withSetPath(Path path) {
    return new BreachSetSettings(Optional.of(path), reloadInterval, allowWithoutSet, closeGrace, hugePages,
        verifyOnLoad);
  }
}
