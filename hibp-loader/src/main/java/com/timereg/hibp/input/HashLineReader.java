package com.timereg.hibp.input;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.LongConsumer;

/**
 * Parses {@code HEX:COUNT} lines (LF or CRLF, final line end optional, hex in either case) from a sequence
 * of files whose names may carry the first hex digits of every hash, and checks that hashes strictly ascend
 * across all of them. Memory is a few fixed buffers whatever the input size.
 *
 * <p>Three stages overlap: a thread reads ahead into large buffers ({@link ReadAhead}); each buffer is cut
 * at line ends into slices that worker threads parse in parallel ({@link ParseTask}), each into a batch of
 * the sink's, which may do its own per-entry work there; the calling thread takes the slices in order,
 * checks the order where two slices meet, numbers the lines and hands the batches to the sink. While the
 * workers parse one buffer, the caller consumes the previous one.
 */
final class HashLineReader<B extends EntryBatch> {
  /** Several slices per 4 MiB buffer so that every core has work, big enough that handing over is rare. */
  private static final int SLICE_BYTES = 1 << 20;
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final BatchSink<B> sink;
  private final LongConsumer progress;
  private final int prefixDigits;
  private final int shift;
  private final boolean directIo;
  private final byte[] carry = new byte[ParseTask.MAX_LINE];
  private long prevHi;
  private long prevLo;
  private long prevTail = -1;
  private int lineFile = -1;
  private long linesBefore;

  /**
   * @param prefixDigits hex digits of every hash that a file's name holds rather than its lines (0 to 5)
   * @param directIo read a single file past the page cache ({@link ReadAhead})
   */
  HashLineReader(BatchSink<B> sink, LongConsumer progress, int prefixDigits, boolean directIo) {
    this.directIo = directIo;
    this.sink = sink;
    this.progress = progress;
    this.prefixDigits = prefixDigits;
    this.shift = 4 * prefixDigits;
  }

  /** Reads {@code count} files in order; file {@code i} holds the hashes that start with hex digits i. */
  void read(IntFunction<Path> files, int count) throws IOException {
    ExecutorService workers = workers();
    try (ReadAhead input = new ReadAhead(files, count, directIo)) {
      int file = -1;
      int carried = 0;
      ReadAhead.Chunk previous = null;
      List<ParseTask<B>> previousTasks = List.of();
      List<Future<?>> previousDone = List.of();
      for (ReadAhead.Chunk c = input.next(); c != null; c = input.next()) {
        List<ParseTask<B>> tasks = new ArrayList<>();
        List<Future<?>> done = new ArrayList<>();
        ByteBuffer buf = c.buf;
        for (int s = 0; s < c.segments; s++) {
          int pos = c.start[s];
          if (c.file[s] != file) {
            file = c.file[s];
          } else if (carried > 0) {
            // The unfinished line from the previous buffer goes into this buffer's headroom.
            pos -= carried;
            buf.put(pos, carry, 0, carried);
            carried = 0;
          }
          int stop = c.end[s];
          if (!c.fileEnd[s]) {
            stop = afterLastLineEnd(buf, pos, c.end[s]);
            carried = c.end[s] - stop;
            buf.get(stop, carry, 0, carried);
          }
          long prefixBits = prefixDigits == 0 ? 0 : (long) file << (32 - shift);
          for (int from = pos; from < stop; ) {
            int to = from + SLICE_BYTES >= stop ? stop : afterLineEnd(buf, from + SLICE_BYTES, stop);
            ParseTask<B> t = new ParseTask<>(c, sink, file, from, to, prefixBits, prefixDigits);
            tasks.add(t);
            done.add(workers.submit(t));
            from = to;
          }
        }
        if (previous != null) {
          consume(previous, previousTasks, previousDone, files, input);
        }
        previous = c;
        previousTasks = tasks;
        previousDone = done;
      }
      if (previous != null) {
        consume(previous, previousTasks, previousDone, files, input);
      }
    } finally {
      workers.shutdownNow();
    }
  }

  private static ExecutorService workers() {
    int n = Math.max(1, Runtime.getRuntime().availableProcessors());
    int pool = POOLS.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    return Executors.newFixedThreadPool(n, r -> {
      Thread t = new Thread(r, "hibp-parse-" + pool + "-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Where the last whole line of {@code [from, end)} ends. A tail longer than any valid line is not kept
   * for the next buffer but parsed here, where it fails as the malformed line it is.
   */
  private static int afterLastLineEnd(ByteBuffer buf, int from, int end) {
    int lowest = Math.max(from, end - ParseTask.MAX_LINE);
    for (int i = end - 1; i >= lowest; i--) {
      if (buf.get(i) == '\n') {
        return i + 1;
      }
    }
    return end - from > ParseTask.MAX_LINE ? end : from;
  }

  /** Just after the first line end at or after {@code at}, or {@code stop}. */
  private static int afterLineEnd(ByteBuffer buf, int at, int stop) {
    for (int i = at; i < stop; i++) {
      if (buf.get(i) == '\n') {
        return i + 1;
      }
    }
    return stop;
  }

  /** Hands a buffer's batches to the sink in order, or reports its first problem, then frees the buffer. */
  private void consume(ReadAhead.Chunk c, List<ParseTask<B>> tasks, List<Future<?>> done, IntFunction<Path> files,
                       ReadAhead input) throws IOException {
    for (int i = 0; i < tasks.size(); i++) {
      await(done.get(i));
      ParseTask<B> t = tasks.get(i);
      if (t.file != lineFile) {
        lineFile = t.file;
        linesBefore = 0;
      }
      if (t.firstTail >= 0) {
        int order = ParseTask.compare(t.firstHi, t.firstLo, t.firstTail, prevHi, prevLo, prevTail);
        if (order <= 0) {
          throw new InputFormatException(files.apply(t.file), linesBefore + 1, ParseTask.orderProblem(order,
              t.firstHi, t.firstLo, t.firstTail, prevHi, prevLo, prevTail));
        }
      }
      if (t.problem != null) {
        throw new InputFormatException(files.apply(t.file), linesBefore + t.lines, t.problem);
      }
      sink.accept(t.batch);
      if (t.entries > 0) {
        prevHi = t.lastHi;
        prevLo = t.lastLo;
        prevTail = t.lastTail;
      }
      linesBefore += t.lines;
    }
    progress.accept(c.bytes);
    input.release(c);
  }

  private static void await(Future<?> f) throws IOException {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("read interrupted");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IOException(cause);
    }
  }
}
