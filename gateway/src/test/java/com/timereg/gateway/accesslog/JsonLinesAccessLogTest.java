package com.timereg.gateway.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JsonLinesAccessLogTest {
  private static final Instant T = Instant.parse("2026-11-27T08:00:01.250Z");

  private static AccessEntry entry(String path, String userAgent) {
    return new AccessEntry("203.0.113.9", "GET", path, "HTTP/1.1", "time.example.com", 200, 1234, 870,
        "erin@example.com", "acme", "sso", "direct", userAgent);
  }

  @Test
  void everyFieldIsThereAndAbsentOnesAreLeftOut() {
    JsonObject line = new JsonObject(JsonLinesAccessLog.format(entry("/api/me", "app/1"), T));
    assertThat(line.getString("time")).isEqualTo("2026-11-27T08:00:01.250Z");
    assertThat(line.getString("client")).isEqualTo("203.0.113.9");
    assertThat(line.getInteger("status")).isEqualTo(200);
    assertThat(line.getLong("bytes")).isEqualTo(1234);
    assertThat(line.getLong("duration_us")).isEqualTo(870);
    assertThat(line.getString("auth")).isEqualTo("sso");
    assertThat(line.getString("via")).isEqualTo("direct");

    JsonObject anonymous = new JsonObject(JsonLinesAccessLog.format(new AccessEntry("203.0.113.9", "GET", "/", "HTTP/2",
        null, 401, 0, 10, null, null, null, "router", null), T));
    assertThat(anonymous.fieldNames()).doesNotContain("user", "customer", "auth", "host", "user_agent");
  }

  @Test
  void quotesBackslashesControlAndNonAsciiCharactersAreEscapedSoALineCannotBeForged() {
    String hostile = "a\"}\n{\"user\":\"root\\\u0000\u00e9\u2028";
    String text = JsonLinesAccessLog.format(entry("/x", hostile), T);
    assertThat(text).doesNotContain("\n").doesNotContain("\u00e9").doesNotContain("\u2028").doesNotContain("\u0000");
    JsonObject line = new JsonObject(text);
    assertThat(line.getString("user_agent")).isEqualTo(hostile);
    assertThat(line.getString("user")).isEqualTo("erin@example.com");
  }

  @Test
  void linesAreWrittenInBatchesAndWhatIsQueuedWhenClosing() {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    JsonLinesAccessLog log = new JsonLinesAccessLog(out, java.time.Clock.fixed(T, java.time.ZoneOffset.UTC));
    for (int i = 0; i < 1000; i++) {
      log.log(entry("/api/" + i, null));
    }
    log.close();
    String[] lines = out.toString(java.nio.charset.StandardCharsets.US_ASCII).split("\n");
    assertThat(lines).hasSize(1000);
    assertThat(new JsonObject(lines[999]).getString("path")).isEqualTo("/api/999");
    assertThat(log.dropped()).isZero();
  }

  @Test
  void aLineLoggedAfterTheLogWasClosedIsCountedAsDroppedNotLostUnseen() {
    // At the end of a stop's grace, the connections still open are cut and their lines logged by event loops that
    // may run after the writer's last pass: such a line is never written, so it must at least be counted.
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    JsonLinesAccessLog log = new JsonLinesAccessLog(out, java.time.Clock.fixed(T, java.time.ZoneOffset.UTC));
    log.log(entry("/before", null));
    log.close();
    log.log(entry("/cut-at-the-end-of-the-grace", null));
    log.log(entry("/another", null));
    assertThat(out.toString(java.nio.charset.StandardCharsets.US_ASCII)).contains("/before")
        .doesNotContain("/cut-at-the-end-of-the-grace");
    assertThat(log.dropped()).isEqualTo(2);
  }

  @Test
  void whenTheOutputFailsLinesAreDroppedAndCountedNotThrown() {
    java.io.OutputStream broken = new java.io.OutputStream() {
      @Override
      public void write(int b) throws java.io.IOException {
        throw new java.io.IOException("disk full");
      }
    };
    JsonLinesAccessLog log = new JsonLinesAccessLog(broken, java.time.Clock.fixed(T, java.time.ZoneOffset.UTC));
    log.log(entry("/a", null));
    log.log(entry("/b", null));
    log.close();
    assertThat(log.dropped()).isEqualTo(2);
  }

  /**
   * Each spell of failures is reported, not only the first of the process's life: the file's directory gone in
   * the morning and again in the evening (the file is reopened in between) is two warnings and a recovery note.
   */
  @Test
  void everySpellOfFailuresIsReportedOnceAndTheRecoveryToo() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
    java.io.OutputStream flaky = new java.io.OutputStream() {
      @Override
      public void write(int b) throws java.io.IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws java.io.IOException {
        if (failing.get()) {
          throw new java.io.IOException("No such file or directory");
        }
        written.addAndGet(len);
      }
    };
    try (com.timereg.gateway.testsupport.CapturedLogs logs = com.timereg.gateway.testsupport.CapturedLogs.atDebug()) {
      JsonLinesAccessLog log = new JsonLinesAccessLog(flaky, java.time.Clock.fixed(T, java.time.ZoneOffset.UTC));
      log.log(entry("/a", null));
      until(() -> log.dropped() == 1);
      log.log(entry("/b", null));
      until(() -> log.dropped() == 2);
      failing.set(false);
      log.log(entry("/c", null));
      until(() -> written.get() > 0);
      failing.set(true);
      log.log(entry("/d", null));
      until(() -> log.dropped() == 3);
      log.close();
      java.util.List<String> lines = logs.lines();
      assertThat(lines.stream().filter(l -> l.startsWith("cannot write the access log"))).hasSize(2);
      assertThat(lines.stream().filter(l -> l.startsWith("the access log is written again"))).hasSize(1);
    }
  }

  /**
   * A full disk takes part of a batch and then fails (write(2) writes what fits, the next call gets ENOSPC): the
   * file ends in half a line. The first line written once there is room again must not be glued to it.
   */
  @Test
  void aLineWrittenAfterAWriteThatFailedHalfWayIsALineOfItsOwn() throws Exception {
    java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
    java.util.concurrent.atomic.AtomicBoolean full = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.io.OutputStream disk = new java.io.OutputStream() {
      @Override
      public void write(int b) throws java.io.IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public synchronized void write(byte[] b, int off, int len) throws java.io.IOException {
        if (full.getAndSet(false)) {
          file.write(b, off, len / 2);
          throw new java.io.IOException("No space left on device");
        }
        file.write(b, off, len);
      }
    };
    JsonLinesAccessLog log = new JsonLinesAccessLog(disk, java.time.Clock.fixed(T, java.time.ZoneOffset.UTC));
    log.log(entry("/lost", null));
    until(() -> log.dropped() == 1);
    log.log(entry("/after", null));
    log.close();
    String[] lines;
    synchronized (disk) {
      lines = file.toString(java.nio.charset.StandardCharsets.US_ASCII).split("\n");
    }
    assertThat(lines[lines.length - 1]).startsWith("{");
    assertThat(new JsonObject(lines[lines.length - 1]).getString("path")).isEqualTo("/after");
  }

  /**
   * An output that fails with an unchecked exception (a wrapper's UncheckedIOException) once: the writer thread
   * ended, and every line after it was queued and then dropped with no word. It is a failed write like any other.
   */
  @Test
  void anUncheckedFailureOfTheOutputDropsItsBatchAndTheWriterGoesOn() throws Exception {
    java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
    java.util.concurrent.atomic.AtomicBoolean fail = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.io.OutputStream output = new java.io.OutputStream() {
      @Override
      public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public synchronized void write(byte[] b, int off, int len) {
        if (fail.getAndSet(false)) {
          throw new java.io.UncheckedIOException(new java.io.IOException("stream closed"));
        }
        file.write(b, off, len);
      }
    };
    try (com.timereg.gateway.testsupport.CapturedLogs logs = com.timereg.gateway.testsupport.CapturedLogs.atDebug()) {
      JsonLinesAccessLog log = new JsonLinesAccessLog(output, java.time.Clock.fixed(T, java.time.ZoneOffset.UTC));
      log.log(entry("/lost", null));
      until(() -> log.dropped() == 1);
      log.log(entry("/after", null));
      until(() -> {
        synchronized (output) {
          return file.size() > 0;
        }
      });
      log.close();
      String[] lines;
      synchronized (output) {
        lines = file.toString(java.nio.charset.StandardCharsets.US_ASCII).split("\n");
      }
      assertThat(new JsonObject(lines[lines.length - 1]).getString("path")).isEqualTo("/after");
      assertThat(logs.lines()).anyMatch(l -> l.startsWith("cannot write the access log"));
    }
  }

  private static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("in time").isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  @Test
  void whileTheOutputIsStuckTheQueueIsBoundedByItsSizeNotOnlyByItsLineCount() {
    // A log collector that stops reading standard output stalls the writer; meanwhile each request still
    // queues its entry. Clients choose the method, path, host and user agent (up to the listener's 8 KiB
    // request line and 16 KiB of headers), so a flood of long ones must not fill the heap before the line
    // count is reached: 65,536 entries of 48 KiB each would hold some 3 GB.
    StuckOutput out = new StuckOutput();
    JsonLinesAccessLog log = new JsonLinesAccessLog(out, java.time.Clock.fixed(T, java.time.ZoneOffset.UTC));
    String longMethod = "M".repeat(8_000);
    String longPath = "/" + "p".repeat(8_000);
    String longHost = "h".repeat(16_000);
    String longAgent = "a".repeat(16_000);
    int sent = 65_536;
    for (int i = 0; i < sent; i++) {
      log.log(new AccessEntry("203.0.113.9", longMethod, longPath, "HTTP/1.1", longHost, 200, 0, 1, null, null, null,
          "router", longAgent));
    }
    long dropped = log.dropped();
    out.unstick();
    log.close();

    // Cut to about 1 KiB per field, each entry still holds some 4 KiB: only a budget's worth waits.
    assertThat(dropped).as("entries dropped while the output was stuck").isGreaterThan(sent / 2);
    JsonObject first = new JsonObject(out.lines()[0]);
    assertThat(first.getString("path")).hasSize(JsonLinesAccessLog.MAX_TEXT + 3).endsWith("...");
    assertThat(first.getString("user_agent")).hasSize(JsonLinesAccessLog.MAX_TEXT + 3).endsWith("...");
  }

  @Test
  void closingWritesEverythingStillQueuedNotJustOneBatch() {
    // The gateway closes the log after the listeners have drained, to write what is still queued; when the
    // output was slow that is many batches of 1 MiB, and none of them may be lost uncounted.
    StuckOutput out = new StuckOutput();
    JsonLinesAccessLog log = new JsonLinesAccessLog(out, java.time.Clock.fixed(T, java.time.ZoneOffset.UTC));
    String path = "/" + "p".repeat(1_000);
    int sent = 20_000;
    for (int i = 0; i < sent; i++) {
      log.log(entry(path, "app/" + i));
    }
    out.unstick();
    log.close();

    assertThat(log.dropped()).isZero();
    String[] lines = out.lines();
    assertThat(lines).hasSize(sent);
    assertThat(new JsonObject(lines[sent - 1]).getString("user_agent")).isEqualTo("app/" + (sent - 1));
  }

  /** An output whose writes wait until {@link #unstick}, as standard output does when nobody reads the pipe. */
  private static final class StuckOutput extends java.io.OutputStream {
    private final java.util.concurrent.CountDownLatch unstuck = new java.util.concurrent.CountDownLatch(1);
    private final java.io.ByteArrayOutputStream written = new java.io.ByteArrayOutputStream();

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      try {
        unstuck.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (written) {
        written.write(b, off, len);
      }
    }

    void unstick() {
      unstuck.countDown();
    }

    String[] lines() {
      synchronized (written) {
        return written.toString(java.nio.charset.StandardCharsets.US_ASCII).split("\n");
      }
    }
  }

  @Test
  void timesAlwaysCarryThreeDigitsOfMilliseconds() {
    assertThat(new JsonObject(JsonLinesAccessLog.format(entry("/", null), Instant.parse("2026-11-27T08:00:01Z")))
        .getString("time")).isEqualTo("2026-11-27T08:00:01.000Z");
    assertThat(new JsonObject(JsonLinesAccessLog.format(entry("/", null), Instant.parse("2026-11-27T08:00:01.005Z")))
        .getString("time")).isEqualTo("2026-11-27T08:00:01.005Z");
    assertThat(new JsonObject(JsonLinesAccessLog.format(entry("/", null), Instant.parse("2026-11-27T08:00:01.05Z")))
        .getString("time")).isEqualTo("2026-11-27T08:00:01.050Z");
  }

  @Test
  void longTextIsCut() {
    String path = "/" + "a".repeat(5000);
    JsonObject line = new JsonObject(JsonLinesAccessLog.format(entry(path, null), T));
    assertThat(line.getString("path")).hasSize(JsonLinesAccessLog.MAX_TEXT + 3).endsWith("...");
  }
  @Test
  void aCutNeverSplitsASurrogatePairSoStrictReadersCanStillDecodeTheLine() throws Exception {
    // A login name from the user table may hold any Unicode; a pair cut in half is a lone surrogate that
    // Python's json, Go's encoding/json and every UTF-8 re-encoder refuse or replace.
    String name = "a".repeat(JsonLinesAccessLog.MAX_TEXT - 1) + "\uD83D\uDE00" + "tail";
    JsonObject line = new JsonObject(JsonLinesAccessLog.format(new AccessEntry("203.0.113.9", "GET", "/", "HTTP/1.1",
        null, 200, 0, 10, name, null, "password", "router", null), T));
    String user = line.getString("user");
    assertThat(user).endsWith("...").startsWith("aaa");
    java.nio.charset.StandardCharsets.UTF_8.newEncoder()
        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
        .encode(java.nio.CharBuffer.wrap(user));
    assertThat(user.substring(0, user.length() - 3)).isEqualTo("a".repeat(JsonLinesAccessLog.MAX_TEXT - 1));
  }
}
