package com.timereg.gateway.accesslog;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each entry as one JSON object on one line to a stream (standard output or a file), in batches.
 *
 * <p>An event loop only adds the entry and the time to a lock-free queue; a writer thread of its own takes
 * what has queued every {@link #FLUSH_INTERVAL}, formats it and writes it with one system call. A logging framework's
 * asynchronous appender wakes its writer for every line instead, which on two cores cost a proxied request
 * about a quarter of its throughput (docs/benchmarks.md). When more than {@link #MAX_QUEUED} lines wait, or
 * their entries hold more than {@link #MAX_QUEUED_CHARS} characters (the stream cannot keep up), further lines
 * are dropped and counted rather than an event loop made to wait.
 *
 * <p>Every string is escaped, control and non-ASCII characters included, so a client cannot forge a field
 * or a line (log injection), and every line is ASCII.
 */
public final class JsonLinesAccessLog implements AccessLog, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JsonLinesAccessLog.class);
  /** Longer paths and user agents are cut: the request line alone may be 8 KiB. */
  static final int MAX_TEXT = 1024;
  /**
   * How long a line may wait before it is written. Short, so that each round of formatting is short too: on
   * two cores, a 50 ms round (about 1,700 lines at 35,000 requests per second) took the event loop's core for
   * milliseconds at a time and doubled the proxied p99 (docs/benchmarks.md).
   */
  public static final Duration FLUSH_INTERVAL = Duration.ofMillis(10);
  /** Lines waiting at most; about 30 MB at 500 bytes each. */
  static final int MAX_QUEUED = 65_536;
  /**
   * Characters the waiting entries may hold (each counted with {@link #ENTRY_OVERHEAD} for its objects), so
   * that long lines cannot multiply the bound above: clients choose the method, path, host and user agent,
   * and 65,536 entries of 24 KiB would be some 1.6 GB of heap while the output is stuck.
   */
  static final long MAX_QUEUED_CHARS = 64L << 20;
  /** What an entry costs besides its text: the entry, its queue node, the small strings. */
  private static final int ENTRY_OVERHEAD = 256;

  private final OutputStream out;
  private final Clock clock;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  /** The writer's cache of the formatted time up to the second, e.g. {@code 2026-11-27T08:00:01}. */
  private long cachedSecond = Long.MIN_VALUE;
  private String cachedPrefix;

  private record Pending(long millis, AccessEntry entry, int chars) {}
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong queuedChars = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;
  /** Set by the writer once it has written its last line: what is queued after that is dropped and counted. */
  private volatile boolean finished;
  private boolean failureReported;

  /** @param out where the lines go; closed with this log unless it is standard output */
  public JsonLinesAccessLog(OutputStream out, Clock clock) {
    this.out = out;
    this.clock = clock;
    this.writer = new Thread(this::run, "access-log-writer");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public void log(AccessEntry e) {
    if (closed) {
      // Closed: the writer's last pass may be over, and a line queued now would never be written nor counted.
      dropped.incrementAndGet();
      return;
    }
    if (queued.incrementAndGet() > MAX_QUEUED) {
      queued.decrementAndGet();
      dropped.incrementAndGet();
      return;
    }
    int chars = chars(e);
    if (queuedChars.addAndGet(chars) > MAX_QUEUED_CHARS) {
      queuedChars.addAndGet(-chars);
      queued.decrementAndGet();
      dropped.incrementAndGet();
      return;
    }
    // Cut here rather than only when formatting: a waiting entry must not keep the client's whole text.
    Pending pending = new Pending(clock.millis(), cut(e), chars);
    queue.offer(pending);
    // Queued while the log was being closed (a connection cut at the end of the stop's grace): when the writer's last
    // pass may have gone by, the line is counted as dropped, by this thread or the writer, whichever takes it.
    if (finished && queue.remove(pending)) {
      dropped.incrementAndGet();
    }
  }

  /** What the entry will hold once cut, its objects included. */
  private static int chars(AccessEntry e) {
    return ENTRY_OVERHEAD + length(e.client()) + length(e.method()) + length(e.path()) + length(e.protocol())
        + length(e.host()) + length(e.user()) + length(e.customer()) + length(e.authMethod()) + length(e.via())
        + length(e.userAgent());
  }

  private static int length(String s) {
    return s == null ? 0 : Math.min(s.length(), MAX_TEXT + 1);
  }

  /** The entry with every text longer than {@link #MAX_TEXT} cut one past it, so the line still says "...". */
  private static AccessEntry cut(AccessEntry e) {
    if (!tooLong(e.client()) && !tooLong(e.method()) && !tooLong(e.path()) && !tooLong(e.protocol())
        && !tooLong(e.host()) && !tooLong(e.user()) && !tooLong(e.customer()) && !tooLong(e.authMethod())
        && !tooLong(e.via()) && !tooLong(e.userAgent())) {
      return e;
    }
    return new AccessEntry(cut(e.client()), cut(e.method()), cut(e.path()), cut(e.protocol()), cut(e.host()),
        e.status(), e.bytes(), e.durationMicros(), cut(e.user()), cut(e.customer()), cut(e.authMethod()), cut(e.via()),
        cut(e.userAgent()));
  }

  private static boolean tooLong(String s) {
    return s != null && s.length() > MAX_TEXT + 1;
  }

  private static String cut(String s) {
    return tooLong(s) ? s.substring(0, MAX_TEXT + 1) : s;
  }

  /** Lines dropped because too many were waiting to be written. */
  public long dropped() {
    return dropped.get();
  }

  private void run() {
    while (!closed) {
      LockSupport.parkNanos(FLUSH_INTERVAL.toNanos());
      drain();
    }
    // Everything queued when closing, however many batches that is (a slow output leaves many); only that, so
    // that a straggler still logging cannot keep the writer going.
    for (int left = queued.get(); left > 0; ) {
      int n = drain();
      if (n == 0) {
        break;
      }
      left -= n;
    }
    finished = true;
    // What a straggler queued after the last pass: counted, never silently lost (log() counts what comes later).
    int late = 0;
    while (queue.poll() != null) {
      late++;
    }
    if (late > 0) {
      dropped.addAndGet(late);
    }
    if (dropped.get() > 0) {
      LOG.warn("access log closed; {} lines were dropped in all", dropped.get());
    }
  }

  /** Writes what is queued, up to about 1 MiB, in one go; returns the number of lines taken. */
  private int drain() {
    Pending p = queue.poll();
    if (p == null) {
      return 0;
    }
    StringBuilder batch = new StringBuilder(8192);
    if (failureReported) {
      // The last write failed, maybe half-way (a full disk takes what fits): the output may end in part of a line,
      // which the first line now must not be glued to. At worst an empty line.
      batch.append('\n');
    }
    int n = 0;
    long chars = 0;
    do {
      append(batch, p.entry(), time(p.millis()));
      batch.append('\n');
      n++;
      chars += p.chars();
    } while (batch.length() < (1 << 20) && (p = queue.poll()) != null);
    queued.addAndGet(-n);
    queuedChars.addAndGet(-chars);
    try {
      out.write(batch.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      if (failureReported) {
        // Reported once per spell of failures, so the next spell (a file reopened after rotation, then its
        // directory gone again) is reported too, not only the first of the process's life.
        failureReported = false;
        LOG.info("the access log is written again; {} lines were dropped in all", dropped.get());
      }
    } catch (IOException | RuntimeException e) {
      // A RuntimeException too (an output stream's UncheckedIOException, a bug below): uncaught, it ended the
      // writer thread, and every later line queued up to the bound and was then dropped, without a word.
      dropped.addAndGet(n);
      if (!failureReported) {
        failureReported = true;
        LOG.warn("cannot write the access log ({}); its lines are dropped and counted", e.toString());
      }
    }
    return n;
  }

  /**
   * Writes what is queued and stops the writer. A line logged from then on (an event loop still answering, or
   * cutting a connection) is dropped and counted in {@link #dropped}, and the total is reported once.
   */
  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(writer);
    try {
      writer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** ISO 8601 in UTC with milliseconds, the part up to the second formatted once per second. */
  private String time(long millis) {
    long second = Math.floorDiv(millis, 1000);
    if (second != cachedSecond) {
      cachedSecond = second;
      cachedPrefix = secondPrefix(second);
    }
    return withMillis(cachedPrefix, millis);
  }

  /** {@code 2026-11-27T08:00:01} for the second. */
  private static String secondPrefix(long second) {
    String full = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(second));
    return full.substring(0, full.length() - 1);
  }

  private static String withMillis(String secondPrefix, long millis) {
    int ms = (int) Math.floorMod(millis, 1000);
    return secondPrefix + (ms < 10 ? ".00" : ms < 100 ? ".0" : ".") + ms + "Z";
  }

  /** One line, as the writer formats it. */
  static String format(AccessEntry e, Instant time) {
    StringBuilder sb = new StringBuilder(320);
    long millis = time.toEpochMilli();
    append(sb, e, withMillis(secondPrefix(Math.floorDiv(millis, 1000)), millis));
    return sb.toString();
  }

  private static void append(StringBuilder sb, AccessEntry e, String time) {
    sb.append("{\"time\":\"").append(time).append('"');
    text(sb, "client", e.client());
    text(sb, "method", e.method());
    text(sb, "path", e.path());
    text(sb, "protocol", e.protocol());
    text(sb, "host", e.host());
    sb.append(",\"status\":").append(e.status());
    sb.append(",\"bytes\":").append(e.bytes());
    sb.append(",\"duration_us\":").append(e.durationMicros());
    text(sb, "user", e.user());
    text(sb, "customer", e.customer());
    text(sb, "auth", e.authMethod());
    text(sb, "via", e.via());
    text(sb, "user_agent", e.userAgent());
    sb.append('}');
  }

  /** A string field, left out when null. */
  private static void text(StringBuilder sb, String name, String value) {
    if (value == null) {
      return;
    }
    sb.append(",\"").append(name).append("\":\"");
    int end = Math.min(value.length(), MAX_TEXT);
    if (end < value.length() && Character.isHighSurrogate(value.charAt(end - 1))) {
      end--; // never half a pair: a lone surrogate is refused by strict JSON readers
    }
    for (int i = 0; i < end; i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c >= 0x7f) {
        sb.append("\\u").append(Character.forDigit(c >> 12 & 15, 16)).append(Character.forDigit(c >> 8 & 15, 16))
            .append(Character.forDigit(c >> 4 & 15, 16)).append(Character.forDigit(c & 15, 16));
      } else {
        sb.append(c);
      }
    }
    if (value.length() > end) {
      sb.append("...");
    }
    sb.append('"');
  }
}
