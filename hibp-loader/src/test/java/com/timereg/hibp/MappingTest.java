package com.timereg.hibp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The set mapped in 2 MiB pages, preloaded, or held to 4 KiB pages: lookups answer the same, and the kernel's
 * own account (/proc/self/smaps) shows which page size it used. The file lives under target/, not /tmp,
 * which may be a tmpfs with its own huge-page rules.
 */
class MappingTest {
  /** About 7.4 MB: several whole 2 MiB pages. */
  private static final int ENTRIES = 1_500_000;

  private static Path dir;
  private static Path file;
  private static long[] his;
  private static long[] los;
  private static int[] counts;

  @BeforeAll
  static void writeSet() throws IOException {
    dir = Files.createDirectories(Path.of("target", "mapping-test"));
    file = dir.resolve("set.hibp");
    SplittableRandom random = new SplittableRandom(11);
    his = new long[ENTRIES];
    for (int i = 0; i < ENTRIES; i++) {
      his[i] = random.nextLong() & Long.MAX_VALUE;
    }
    Arrays.sort(his);
    los = new long[ENTRIES];
    counts = new int[ENTRIES];
    HibpSetParameters p = HibpSetParameters.forMaxEntries(ENTRIES, 1e-10);
    try (HibpSetWriter w = HibpSetWriter.create(file, p, Instant.parse("2026-01-01T00:00:00Z"))) {
      for (int i = 0; i < ENTRIES; i++) {
        los[i] = random.nextLong();
        counts[i] = 1 + random.nextInt(1_000_000);
        w.add(his[i], los[i], counts[i]);
      }
      w.finish();
    }
  }

  @AfterAll
  static void removeSet() throws IOException {
    Files.deleteIfExists(file);
  }

  @Test
  void preloadedSetIsMappedInHugePagesWhereTheKernelCanAndFindsEveryHash() throws IOException {
    try (HibpSet set = HibpSet.open(file, HibpSet.Mapping.PRELOADED)) {
      assertFindsEveryHash(set);
      assumeTrue(kernelMapsFilesInHugePages(), "transparent huge pages off, or a kernel before 6.16 (no large"
          + " folios for ext4 files)");
      // The writer's pages were dropped and read back through the huge-page mapping: most of the file, all
      // but the parts of the first and last 2 MiB that the file does not fill, is in huge pages.
      assertThat(set.hugePageBytes()).isGreaterThanOrEqualTo(set.fileBytes() - 2 * 2 * 1024 * 1024);
    }
  }

  @Test
  void withoutHugePagesTheSetStaysInSmallPagesAndFindsEveryHash() throws IOException {
    try (HibpSet set = HibpSet.open(file, new HibpSet.Mapping(false, true))) {
      assertThat(set.hugePageBytes()).isZero();
      assertFindsEveryHash(set);
    }
  }

  @Test
  void lazySetFindsEveryHash() throws IOException {
    try (HibpSet set = HibpSet.open(file)) {
      assertThat(set.fileBytes()).isEqualTo(Files.size(file));
      assertFindsEveryHash(set);
    }
  }

  private static void assertFindsEveryHash(HibpSet set) {
    for (int i = 0; i < ENTRIES; i += 7) {
      assertThat(set.prevalenceClass(his[i], los[i])).isEqualTo(PrevalenceClass.of(counts[i], 4));
    }
    SplittableRandom random = new SplittableRandom(12);
    for (int i = 0; i < 10_000; i++) {
      assertThat(set.prevalenceClass(random.nextLong(), random.nextLong())).isEqualTo(-1);
    }
  }

  private static boolean kernelMapsFilesInHugePages() throws IOException {
    Path enabled = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
    if (!Files.isReadable(enabled) || Files.readString(enabled).contains("[never]")) {
      return false;
    }
    String[] version = System.getProperty("os.version").split("[.-]");
    int major = Integer.parseInt(version[0]);
    int minor = Integer.parseInt(version[1]);
    return major > 6 || major == 6 && minor >= 16;
  }
}
