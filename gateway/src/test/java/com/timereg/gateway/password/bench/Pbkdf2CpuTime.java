package com.timereg.gateway.password.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * CPU time per derivation of each {@link Pbkdf2Benchmark} contender, for a machine shared with
 * other work. JMH measures wall time, which on a busy 2-core machine mostly measures the
 * scheduler; the thread's own CPU time is far less disturbed by other processes (caches and a
 * busy sibling hyper-thread still show). The contenders run interleaved, one derivation each per
 * round, so a change in load touches them all alike. Run by bench/pbkdf2-cpu.sh, which adds
 * OpenSSL's CPU time in the same run.
 *
 * <p>Usage: {@code Pbkdf2CpuTime [iterations=600000] [rounds=5]}; prints one line per contender:
 * name, median and minimum CPU milliseconds per derivation.
 */
public final class Pbkdf2CpuTime {
  private static final int WARM_UP_ITERATIONS = 20_000;
  private static final int WARM_UP_CALLS = 40;

  private Pbkdf2CpuTime() {}

  public static void main(String[] args) throws Exception {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 600_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Pbkdf2Benchmark bench = new Pbkdf2Benchmark();
    bench.iterations = WARM_UP_ITERATIONS;
    bench.setUp();
    Map<String, Callable<byte[]>> contenders = new LinkedHashMap<>();
    contenders.put("ours", bench::ours);
    contenders.put("oursJdkIntrinsic", bench::oursJdkIntrinsic);
    contenders.put("oursPureJava", bench::oursPureJava);
    contenders.put("jdk", bench::jdk);
    contenders.put("jdkDigestClones", bench::jdkDigestClones);
    // Many short calls first, so each loop is compiled as a whole method, not only on-stack.
    for (Callable<byte[]> contender : contenders.values()) {
      for (int i = 0; i < WARM_UP_CALLS; i++) {
        contender.call();
      }
    }
    bench.iterations = iterations;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, List<Long>> cpuNanos = new LinkedHashMap<>();
    contenders.keySet().forEach(name -> cpuNanos.put(name, new ArrayList<>()));
    for (int round = 0; round < rounds; round++) {
      for (Map.Entry<String, Callable<byte[]>> contender : contenders.entrySet()) {
        long start = threads.getCurrentThreadCpuTime();
        contender.getValue().call();
        cpuNanos.get(contender.getKey()).add(threads.getCurrentThreadCpuTime() - start);
      }
    }
    for (Map.Entry<String, List<Long>> entry : cpuNanos.entrySet()) {
      long[] sorted = entry.getValue().stream().mapToLong(Long::longValue).sorted().toArray();
      System.out.printf("%s %.1f %.1f%n", entry.getKey(), median(sorted) / 1e6, sorted[0] / 1e6);
    }
  }

  private static double median(long[] sorted) {
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
  }
}
