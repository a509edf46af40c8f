package com.timereg.hibp.bench;

import com.timereg.hibp.HibpSet;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;
import net.openhft.chronicle.set.ChronicleSet;
import net.openhft.chronicle.set.ChronicleSetBuilder;

/**
 * The lookups of {@link LookupBenchmark} timed by thread CPU time rather than wall time, the three
 * structures taking turns round by round. On a shared machine a JMH iteration also counts the time its
 * thread waits for a core, and one structure's iterations may meet a busier minute than another's; this
 * counts neither (contention for caches and memory from other processes still counts). It reads the
 * files that LookupBenchmark prepared for the size, and reports the minimum and median over the rounds.
 *
 * <p>Run: {@code bench/hibp-lookup.sh ENTRIES JDK} runs it after the JMH benchmark.
 */
public final class LookupCpuTime {
  private static final int QUERIES = 1 << 16;
  private static final int PASSES = 4;
  private static final int WARMUP_ROUNDS = 10;
  private static final int ROUNDS = 30;

  private LookupCpuTime() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    int entries = Integer.parseInt(args[1]);
    byte[][] present = new byte[QUERIES][];
    byte[][] absent = new byte[QUERIES][];
    SplittableRandom random = new SplittableRandom(2);
    try (FileChannel hashes = FileChannel.open(dir.resolve("hashes.bin"), StandardOpenOption.READ)) {
      for (int q = 0; q < QUERIES; q++) {
        ByteBuffer b = ByteBuffer.allocate(20);
        hashes.read(b, 20L * random.nextInt(entries));
        present[q] = b.array();
        absent[q] = new byte[20];
        random.nextBytes(absent[q]);
      }
    }
    byte[] sorted = new byte[Math.multiplyExact(entries, 20)];
    try (InputStream in = Files.newInputStream(dir.resolve("hashes.bin"))) {
      new DataInputStream(in).readFully(sorted);
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double[][] ns = new double[8][ROUNDS];
    // The huge-page set first: it drops the file's cached pages, which it cannot while another mapping holds them.
    try (HibpSet set = HibpSet.open(dir.resolve("set.hibp"), HibpSet.Mapping.PRELOADED);
         HibpSet small = HibpSet.open(dir.resolve("set.hibp"), new HibpSet.Mapping(false, true));
         ChronicleSet<byte[]> chronicle = ChronicleSetBuilder.of(byte[].class).entries(entries)
             .constantKeySizeBySample(new byte[20]).createPersistedTo(dir.resolve("chronicle.dat").toFile())) {
      System.out.printf("HibpSet %,d bytes: %,d in 2 MiB pages; the other mapping %,d%n", set.fileBytes(),
          set.hugePageBytes(), small.hugePageBytes());
      for (int r = -WARMUP_ROUNDS; r < ROUNDS; r++) {
        double[] round = {
            hibp(set, present, threads), hibp(set, absent, threads),
            hibp(small, present, threads), hibp(small, absent, threads),
            sorted(sorted, entries, present, threads), sorted(sorted, entries, absent, threads),
            chronicle(chronicle, present, threads), chronicle(chronicle, absent, threads)};
        for (int i = 0; r >= 0 && i < round.length; i++) {
          ns[i][r] = round[i];
        }
      }
    }
    System.out.printf("ns per lookup, thread CPU time, %,d entries, %d rounds of %,d lookups (min / median);"
        + " HibpSet as the gateway maps it (2 MiB pages, preloaded), HibpSet 4 KiB with huge pages refused:%n",
        entries, ROUNDS, PASSES * QUERIES);
    String[] names = {"HibpSet", "HibpSet 4 KiB", "sorted array", "ChronicleSet"};
    double hibpHit = median(ns[0]);
    double hibpMiss = median(ns[1]);
    for (int s = 0; s < names.length; s++) {
      System.out.printf("  %-13s hit %7.1f / %7.1f   miss %7.1f / %7.1f   median vs HibpSet: hit %.2fx, miss %.2fx%n",
          names[s], min(ns[2 * s]), median(ns[2 * s]), min(ns[2 * s + 1]), median(ns[2 * s + 1]),
          median(ns[2 * s]) / hibpHit, median(ns[2 * s + 1]) / hibpMiss);
    }
  }

  private static double hibp(HibpSet set, byte[][] queries, ThreadMXBean threads) {
    long sum = 0;
    long t0 = threads.getCurrentThreadCpuTime();
    for (int pass = 0; pass < PASSES; pass++) {
      for (byte[] q : queries) {
        sum += set.prevalence(q);
      }
    }
    return perLookup(threads, t0, sum);
  }

  private static double sorted(byte[] hashes, int entries, byte[][] queries, ThreadMXBean threads) {
    long sum = 0;
    long t0 = threads.getCurrentThreadCpuTime();
    for (int pass = 0; pass < PASSES; pass++) {
      for (byte[] q : queries) {
        sum += LookupBenchmark.binarySearch(hashes, entries, q) ? 1 : 0;
      }
    }
    return perLookup(threads, t0, sum);
  }

  private static double chronicle(ChronicleSet<byte[]> set, byte[][] queries, ThreadMXBean threads) {
    long sum = 0;
    long t0 = threads.getCurrentThreadCpuTime();
    for (int pass = 0; pass < PASSES; pass++) {
      for (byte[] q : queries) {
        sum += set.contains(q) ? 1 : 0;
      }
    }
    return perLookup(threads, t0, sum);
  }

  private static double perLookup(ThreadMXBean threads, long t0, long sum) {
    long t1 = threads.getCurrentThreadCpuTime();
    if (sum == Long.MIN_VALUE) {
      // Uses the results so that the JIT cannot drop the lookups.
      System.out.print("");
    }
    return (double) (t1 - t0) / (PASSES * QUERIES);
  }

  private static double min(double[] v) {
    return Arrays.stream(v).min().orElseThrow();
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
