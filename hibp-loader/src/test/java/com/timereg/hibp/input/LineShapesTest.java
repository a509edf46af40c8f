package com.timereg.hibp.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parser has a fast path (a whole line inside the slice, a count of up to 7 digits, LF or CRLF) and a
 * general one (everything else, and every error). Both must read the same entries and refuse the same lines.
 */
class LineShapesTest {
  private static final String A = "00000A94C6AF3E2F6F5D7ACB89B8C4C0E1D2F3A4";

  @TempDir
  Path dir;

  @Test
  void readsLinesOfEveryShapeAcrossSlicesAndBuffers() throws IOException {
    SplittableRandom r = new SplittableRandom(7);
    int n = 300_000;
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    List<long[]> expected = new ArrayList<>();
    BigInteger h = BigInteger.ZERO;
    for (int i = 0; i < n; i++) {
      // Steps of every size, so that consecutive hashes differ only in the last 8 digits, or from the
      // middle, or from the first 16 on; 300,000 steps of at most 2^140 stay below 2^160.
      h = h.add(BigInteger.valueOf(1 + r.nextLong(1L << 62)).shiftLeft(r.nextInt(79)));
      String hex = String.format("%040X", h);
      if (r.nextBoolean()) {
        hex = hex.toLowerCase(Locale.ROOT);
      }
      int digits = r.nextInt(10) < 8 ? 1 + r.nextInt(7) : 8 + r.nextInt(11);
      long count = digits == 1 ? 1 + r.nextInt(9) : (long) Math.pow(10, digits - 1) + r.nextLong(
          (long) Math.pow(10, digits - 1) * 9);
      String end = i == n - 1 && r.nextBoolean() ? "" : r.nextBoolean() ? "\n" : "\r\n";
      text.writeBytes((hex + ":" + count + end).getBytes(StandardCharsets.US_ASCII));
      expected.add(new long[] {h.shiftRight(96).longValue(), h.shiftRight(32).longValue(), count});
    }
    Path file = Files.write(dir.resolve("shapes.txt"), text.toByteArray());
    List<long[]> got = new ArrayList<>();
    HibpInput.open(file).read((hi, lo, count) -> got.add(new long[] {hi, lo, count}), bytes -> { });
    assertThat(got).hasSize(n);
    for (int i = 0; i < n; i++) {
      assertThat(got.get(i)).as("line %d", i + 1).containsExactly(expected.get(i));
    }
  }

  @Test
  void refusesEveryNonHexByteAtEveryPositionOfAHash() {
    for (int pos = 0; pos < 40; pos++) {
      for (int b = 0; b < 256; b++) {
        if (Hex.isHexDigit(b)) {
          continue;
        }
        byte[] bad = (A + ":12\n").getBytes(StandardCharsets.US_ASCII);
        bad[pos] = (byte) b;
        ParseTask<?> t = parse(bad);
        assertThat(t.problem).as("byte %02X at %d", b, pos).isNotNull();
        assertThat(t.lines).as("byte %02X at %d", b, pos).isEqualTo(4);
      }
    }
  }

  @Test
  void refusesBadCountsAndLineEndsWhereverTheFastPathWouldTakeThem() {
    String[] bad = {":0\n", ":00\n", ":\n", ":1x\n", ":12\r\r", ":1234567\r", ":12\r", ";12\n", ":1 \n",
        ":\u00B91\n", ":/\n", "::1\n"};
    for (String tail : bad) {
      ParseTask<?> t = parse((A + tail).getBytes(StandardCharsets.ISO_8859_1));
      assertThat(t.problem).as(tail).isNotNull();
      assertThat(t.lines).as(tail).isEqualTo(4);
    }
    String[] good = {":1\n", ":1234567\n", ":1234567\r\n", ":123456\r\n", ":12345678\n", ":007\r\n"};
    for (String tail : good) {
      ParseTask<?> t = parse((A + tail).getBytes(StandardCharsets.US_ASCII));
      assertThat(t.problem).as(tail).isNull();
      assertThat(t.entries).as(tail).isEqualTo(7);
    }
  }

  @Test
  void ordersHashesByValueWhateverTheCaseOfTheirLastDigits() throws IOException {
    String base = A.substring(0, 39);
    assertThat(read(base + "A:1\n" + base.toLowerCase(Locale.ROOT) + "b:1\n" + base + "C:1\n")).isEqualTo(3);
    InputFormatException e = catchThrowableOfType(() -> read(base + "b:1\n" + base + "A:2\n" + A + "FF:1\n"),
        InputFormatException.class);
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.getMessage()).contains("unsorted: hash " + base + "A comes after " + base + "B");
    e = catchThrowableOfType(() -> read(base + "a:1\n" + base + "A:2\n"), InputFormatException.class);
    assertThat(e.getMessage()).contains(":2: duplicate hash " + base + "A");
  }

  private int read(String text) throws IOException {
    Path file = Files.writeString(dir.resolve("in.txt"), text, StandardCharsets.US_ASCII);
    int[] n = {0};
    HibpInput.open(file).read((hi, lo, count) -> n[0]++, bytes -> { });
    return n[0];
  }

  /** Parses {@code line} as line 4 of 7, between lines that sort before and after it. */
  private static ParseTask<?> parse(byte[] line) {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    for (int i = 0; i < 3; i++) {
      text.writeBytes(String.format("%040X:1%n", i).getBytes(StandardCharsets.US_ASCII));
    }
    text.writeBytes(line);
    for (int i = 0; i < 3; i++) {
      text.writeBytes(String.format("F%039X:1\n", i).getBytes(StandardCharsets.US_ASCII));
    }
    byte[] bytes = text.toByteArray();
    ReadAhead.Chunk c = new ReadAhead.Chunk(ReadAhead.HEADROOM + 4096);
    c.buf.put(ReadAhead.HEADROOM, bytes);
    ParseTask<?> t = new ParseTask<>(c, new EntrySinkBatches((hi, lo, count) -> { }), 0, ReadAhead.HEADROOM,
        ReadAhead.HEADROOM + bytes.length, 0, 0);
    t.run();
    return t;
  }
}
