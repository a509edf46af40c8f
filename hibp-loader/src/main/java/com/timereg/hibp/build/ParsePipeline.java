package com.timereg.hibp.build;

import com.timereg.hibp.input.EntrySink;
import com.timereg.hibp.input.HibpInput;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads and parses the input on its own thread and hands entries over in fixed batches, so parsing and
 * writing the set overlap on two cores. A few batches circulate between the threads: memory stays constant.
 */
final class ParsePipeline {
  private static final int BATCH = 1 << 14;
  private static final int BATCHES = 4;
  private static final Batch END = new Batch(0);

  private final BlockingQueue<Batch> full = new ArrayBlockingQueue<>(BATCHES + 1);
  private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(BATCHES);
  private volatile boolean cancelled;
  private volatile Throwable parseFailure;

  private ParsePipeline() {
    for (int i = 0; i < BATCHES; i++) {
      free.add(new Batch(BATCH));
    }
  }

  /** Streams every entry of {@code input} into {@code sink} on the calling thread. */
  static void run(HibpInput input, EntrySink sink, BuildProgress progress) throws IOException {
    new ParsePipeline().drive(input, sink, progress);
  }

  private void drive(HibpInput input, EntrySink sink, BuildProgress progress) throws IOException {
    Thread parser = new Thread(() -> parse(input, progress), "hibp-parse");
    parser.setDaemon(true);
    parser.start();
    try {
      for (Batch b = take(full); b != END; b = take(full)) {
        for (int i = 0; i < b.size; i++) {
          sink.accept(b.hi[i], b.lo[i], b.count[i]);
        }
        b.size = 0;
        free.add(b);
      }
    } catch (IOException | RuntimeException | Error e) {
      cancelled = true;
      parser.interrupt();
      throw e;
    } finally {
      join(parser);
    }
    Throwable failure = parseFailure;
    if (failure instanceof IOException e) {
      throw e;
    }
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
  }

  private void parse(HibpInput input, BuildProgress progress) {
    long[] bytes = {0};
    long[] entries = {0};
    Batch[] current = new Batch[1];
    try {
      current[0] = take(free);
      input.read((hi, lo, count) -> {
        Batch b = current[0];
        b.hi[b.size] = hi;
        b.lo[b.size] = lo;
        b.count[b.size] = count;
        if (++b.size == BATCH) {
          full.add(b);
          current[0] = take(free);
        }
        entries[0]++;
      }, read -> {
        bytes[0] += read;
        progress.update(bytes[0], input.sizeBytes(), entries[0]);
      });
      full.add(current[0]);
    } catch (Throwable t) {
      parseFailure = t;
    } finally {
      handOverEnd();
    }
  }

  private void handOverEnd() {
    try {
      while (!full.offer(END, 100, TimeUnit.MILLISECONDS)) {
        if (cancelled) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Batch take(BlockingQueue<Batch> queue) throws InterruptedIOException {
    try {
      return queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("build interrupted");
    }
  }

  private static void join(Thread t) {
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
        t.interrupt();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class Batch {
    final long[] hi;
    final long[] lo;
    final long[] count;
    int size;

    Batch(int capacity) {
      hi = new long[capacity];
      lo = new long[capacity];
      count = new long[capacity];
    }
  }
}
