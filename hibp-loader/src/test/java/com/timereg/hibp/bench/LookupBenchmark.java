package com.timereg.hibp.bench;

import com.timereg.hibp.HibpSet;
import com.timereg.hibp.Sha1;
import com.timereg.hibp.build.BuildOptions;
import com.timereg.hibp.build.BuildProgress;
import com.timereg.hibp.build.SetBuilder;
import com.timereg.hibp.generate.SyntheticGenerator;
import com.timereg.hibp.input.HibpInput;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * (off-heap hash set, persisted to a file and mapped). Hits and misses are measured separately; queries
 * cycle through 64 Ki random hashes, so at the larger sizes nearly every lookup misses the caches.
 *
 * <p>JMH runs every benchmark method in its own JVM, so the data are prepared once per size and kept in
 * {@code ${hibp.bench.dir:-java.io.tmpdir/hibp-lookup-bench}/<entries>/} (set, sorted hashes, Chronicle
 * file; about 75 bytes per entry: 7.5 GB at 10^8), and each method loads only the structure it measures.
 * A set that cannot be opened (say, after a format change) is rebuilt from the same synthetic input.
 * Delete that directory afterwards. The sorted array needs 20 bytes per entry of heap: at 10^8 run with
 * {@code -jvmArgsAppend -Xmx3g}.
 *
 * <p>Run: {@code bench/jmh --module hibp-loader LookupBenchmark -p entries=10000000 -jvmArgsAppend -Xmx3g}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LookupBenchmark {
  private static final int QUERIES = 1 << 16;

  /** Files shared by all forks for one size, and the queries (the same in every fork: fixed seed). */
  @State(Scope.Benchmark)
  public static class Data {
    @Param({"1000000"})
    public int entries;

    Path dir;
    byte[][] present;
    byte[][] absent;
    int next;

    @Setup(Level.Trial)
    public void prepare() throws IOException {
      Path root = Path.of(System.getProperty("hibp.bench.dir",
          Path.of(System.getProperty("java.io.tmpdir"), "hibp-lookup-bench").toString()));
      dir = Files.createDirectories(root.resolve(Integer.toString(entries)));
      if (!Files.exists(dir.resolve("hashes.done"))) {
        generate();
      } else if (!readable(dir.resolve("set.hibp"))) {
        // A format change leaves the hashes and the Chronicle file valid: rebuild only the set.
        buildSet();
      }
      SplittableRandom random = new SplittableRandom(2);
      present = new byte[QUERIES][];
      absent = new byte[QUERIES][];
      try (FileChannel hashes = FileChannel.open(hashes(), StandardOpenOption.READ)) {
        for (int q = 0; q < QUERIES; q++) {
          ByteBuffer b = ByteBuffer.allocate(20);
          hashes.read(b, 20L * random.nextInt(entries));
          present[q] = b.array();
          absent[q] = new byte[20];
          random.nextBytes(absent[q]);
        }
      }
    }

    private static boolean readable(Path set) {
      try (HibpSet s = HibpSet.open(set)) {
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    private void buildSet() throws IOException {
      Path input = writeInput();
      SetBuilder.build(HibpInput.open(input), dir.resolve("set.hibp"), BuildOptions.at(Instant.EPOCH),
          BuildProgress.NONE);
      Files.delete(input);
    }

    private Path writeInput() throws IOException {
      Path input = dir.resolve("input.txt");
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(input), 1 << 20)) {
        new SyntheticGenerator(entries, List.of(), 1, false).write(out, n -> { });
      }
      return input;
    }

    private void generate() throws IOException {
      Path input = writeInput();
      SetBuilder.build(HibpInput.open(input), dir.resolve("set.hibp"), BuildOptions.at(Instant.EPOCH),
          BuildProgress.NONE);
      try (BufferedReader r = Files.newBufferedReader(input);
           OutputStream out = new BufferedOutputStream(Files.newOutputStream(hashes()), 1 << 20)) {
        for (String line; (line = r.readLine()) != null; ) {
          out.write(Sha1.parseHex(line.substring(0, 40)));
        }
      }
      Files.delete(input);
      Files.createFile(dir.resolve("hashes.done"));
    }

    Path hashes() {
      return dir.resolve("hashes.bin");
    }

    byte[] next(byte[][] queries) {
      return queries[next++ & (QUERIES - 1)];
    }
  }

  @State(Scope.Benchmark)
  public static class Mapped {
    /** "huge": as the gateway maps it (2 MiB pages where the kernel can, preloaded); "small": 4 KiB pages. */
    @Param({"huge", "small"})
    public String pages;

    HibpSet set;

    @Setup(Level.Trial)
    public void open(Data data) throws IOException {
      set = HibpSet.open(data.dir.resolve("set.hibp"), new HibpSet.Mapping(pages.equals("huge"), true));
      report("HibpSet (" + pages + " pages, " + set.hugePageBytes() + " bytes in 2 MiB pages)",
          Files.size(data.dir.resolve("set.hibp")), data.entries);
      for (byte[] q : data.present) {
        if (set.prevalence(q) == 0) {
          throw new IllegalStateException("set misses a present hash");
        }
      }
    }

    @TearDown(Level.Trial)
    public void close() {
      set.close();
    }
  }

  @State(Scope.Benchmark)
  public static class Sorted {
    byte[] hashes;
    int entries;

    @Setup(Level.Trial)
    public void load(Data data) throws IOException {
      entries = data.entries;
      hashes = new byte[Math.multiplyExact(entries, 20)];
      try (InputStream in = Files.newInputStream(data.hashes())) {
        new DataInputStream(in).readFully(hashes);
      }
      report("sorted array", hashes.length, entries);
    }

    boolean contains(byte[] key) {
      return binarySearch(hashes, entries, key);
    }
  }

  @State(Scope.Benchmark)
  public static class Chronicle {
    ChronicleSet<byte[]> set;

    @Setup(Level.Trial)
    public void open(Data data) throws IOException {
      Path file = data.dir.resolve("chronicle.dat");
      Path done = data.dir.resolve("chronicle.done");
      if (!Files.exists(done)) {
        Files.deleteIfExists(file);
      }
      set = ChronicleSetBuilder.of(byte[].class).entries(data.entries).constantKeySizeBySample(new byte[20])
          .createPersistedTo(file.toFile());
      if (!Files.exists(done)) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(data.hashes()), 1 << 20)) {
          byte[] hash = new byte[20];
          for (int i = 0; i < data.entries; i++) {
            new DataInputStream(in).readFully(hash);
            set.add(hash);
          }
        }
        Files.createFile(done);
      }
      report("ChronicleSet", set.offHeapMemoryUsed(), data.entries);
    }

    @TearDown(Level.Trial)
    public void close() {
      set.close();
    }
  }

  /** Whether the sorted 20-byte hashes in {@code hashes} hold {@code key}. */
  static boolean binarySearch(byte[] hashes, int entries, byte[] key) {
    int lo = 0;
    int hi = entries - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Arrays.compareUnsigned(hashes, mid * 20, mid * 20 + 20, key, 0, 20);
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

  private static void report(String structure, long bytes, long entries) {
    System.out.printf("%n%s: %,d bytes for %,d entries, %.2f bytes per entry%n", structure, bytes, entries,
        (double) bytes / entries);
  }

  @Benchmark
  public long hibpSetHit(Data d, Mapped m) {
    return m.set.prevalence(d.next(d.present));
  }

  @Benchmark
  public long hibpSetMiss(Data d, Mapped m) {
    return m.set.prevalence(d.next(d.absent));
  }

  @Benchmark
  public boolean sortedArrayHit(Data d, Sorted s) {
    return s.contains(d.next(d.present));
  }

  @Benchmark
  public boolean sortedArrayMiss(Data d, Sorted s) {
    return s.contains(d.next(d.absent));
  }

  @Benchmark
  public boolean chronicleSetHit(Data d, Chronicle c) {
    return c.set.contains(d.next(d.present));
  }

  @Benchmark
  public boolean chronicleSetMiss(Data d, Chronicle c) {
    return c.set.contains(d.next(d.absent));
  }
}
