package com.timereg.hibp.bench;

import com.timereg.hibp.HibpSet;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Lookup time of the mapped set by thread CPU time rather than wall time: on a shared machine a JMH
 * iteration also counts the time the thread waits for a core, this does not (cache and memory contention
 * from other processes still count). A companion to {@link LookupBenchmark}, not a replacement; it reads
 * the files that benchmark prepared.
 *
 * <p>Run (after LookupBenchmark has prepared the size):
 * {@code java -cp "hibp-loader/target/test-classes:hibp-loader/target/classes:$(cat hibp-loader/target/jmh.classpath)"
 * com.timereg.hibp.bench.LookupCpuTime /tmp/hibp-lookup-bench/100000000 100000000}
 */
public final class LookupCpuTime {
  private static final int QUERIES = 1 << 16;
  private static final int ROUNDS = 40;

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
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (HibpSet set = HibpSet.open(dir.resolve("set.hibp"))) {
      for (int warm = 0; warm < 20; warm++) {
        run(set, present, threads);
        run(set, absent, threads);
      }
      double[] hit = new double[ROUNDS];
      double[] miss = new double[ROUNDS];
      for (int r = 0; r < ROUNDS; r++) {
        hit[r] = run(set, present, threads);
        miss[r] = run(set, absent, threads);
      }
      Arrays.sort(hit);
      Arrays.sort(miss);
      System.out.printf("HibpSet %,d entries, ns per lookup of CPU time over %d rounds of %d: "
              + "hit min %.1f median %.1f, miss min %.1f median %.1f%n", entries, ROUNDS, QUERIES * 4,
          hit[0], hit[ROUNDS / 2], miss[0], miss[ROUNDS / 2]);
    }
  }

  private static double run(HibpSet set, byte[][] queries, ThreadMXBean threads) {
    long sum = 0;
    long t0 = threads.getCurrentThreadCpuTime();
    for (int pass = 0; pass < 4; pass++) {
      for (byte[] q : queries) {
        sum += set.prevalence(q);
      }
    }
    long t1 = threads.getCurrentThreadCpuTime();
    if (sum == 42) {
      System.out.print("");
    }
    return (double) (t1 - t0) / (4.0 * queries.length);
  }
}
