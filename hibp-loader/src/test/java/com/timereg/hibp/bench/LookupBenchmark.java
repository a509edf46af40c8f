package com.timereg.hibp.bench;

import com.timereg.hibp.HibpSet;
import com.timereg.hibp.Sha1;
import com.timereg.hibp.build.BuildOptions;
import com.timereg.hibp.build.BuildProgress;
import com.timereg.hibp.build.SetBuilder;
import com.timereg.hibp.generate.SyntheticGenerator;
import com.timereg.hibp.input.HibpInput;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.openhft.chronicle.set.ChronicleSet;
import net.openhft.chronicle.set.ChronicleSetBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Warm lookup time of the mapped set against two baselines holding the same hashes: a sorted array of
 * 20-byte hashes searched by binary search (the obvious simple structure, 4x the size) and a ChronicleSet
 * (off-heap hash set). Hits and misses are measured separately; queries cycle through 64 Ki random hashes so
 * that the larger sizes also measure cache misses.
 *
 * <p>Run: {@code bench/jmh --module hibp-loader LookupBenchmark -p entries=1000000}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LookupBenchmark {
  private static final int QUERIES = 1 << 16;

  @Param({"1000000"})
  public int entries;

  private Path dir;
  private HibpSet set;
  private byte[] sorted;
  private ChronicleSet<byte[]> chronicle;
  private byte[][] present;
  private byte[][] absent;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("hibp-bench");
    Path input = dir.resolve("input.txt");
    try (OutputStream out = Files.newOutputStream(input)) {
      new SyntheticGenerator(entries, List.of(), 1, false).write(out, n -> { });
    }
    Path file = dir.resolve("set.hibp");
    SetBuilder.build(HibpInput.open(input), file, BuildOptions.at(Instant.EPOCH), BuildProgress.NONE);
    set = HibpSet.open(file);

    sorted = new byte[Math.multiplyExact(entries, 20)];
    chronicle = ChronicleSetBuilder.of(byte[].class).entries(entries).constantKeySizeBySample(new byte[20])
        .create();
    try (BufferedReader r = Files.newBufferedReader(input)) {
      int i = 0;
      for (String line; (line = r.readLine()) != null; i++) {
        byte[] hash = Sha1.parseHex(line.substring(0, 40));
        System.arraycopy(hash, 0, sorted, i * 20, 20);
        chronicle.add(hash);
      }
    }
    SplittableRandom random = new SplittableRandom(2);
    present = new byte[QUERIES][];
    absent = new byte[QUERIES][];
    for (int q = 0; q < QUERIES; q++) {
      int i = random.nextInt(entries);
      present[q] = Arrays.copyOfRange(sorted, i * 20, i * 20 + 20);
      absent[q] = new byte[20];
      random.nextBytes(absent[q]);
    }
    Files.delete(input);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    set.close();
    chronicle.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private byte[] nextOf(byte[][] queries) {
    return queries[next++ & (QUERIES - 1)];
  }

  @Benchmark
  public long hibpSetHit() {
    return set.prevalence(nextOf(present));
  }

  @Benchmark
  public long hibpSetMiss() {
    return set.prevalence(nextOf(absent));
  }

  @Benchmark
  public boolean sortedArrayHit() {
    return binarySearch(nextOf(present));
  }

  @Benchmark
  public boolean sortedArrayMiss() {
    return binarySearch(nextOf(absent));
  }

  @Benchmark
  public boolean chronicleSetHit() {
    return chronicle.contains(nextOf(present));
  }

  @Benchmark
  public boolean chronicleSetMiss() {
    return chronicle.contains(nextOf(absent));
  }

  private boolean binarySearch(byte[] key) {
    int lo = 0;
    int hi = entries - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Arrays.compareUnsigned(sorted, mid * 20, mid * 20 + 20, key, 0, 20);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return true;
      }
    }
    return false;
  }
}
