package com.timereg.hibp.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Workers parse a buffer in slices of about 1 MiB cut at line ends; order across slices, and the line
 * numbers of problems, are settled afterwards. These put a problem on each line around the first cut.
 */
class SliceBoundaryTest {
  /** With 43-byte lines from the buffer's headroom on, the first slice ends after line 24,386. */
  private static final int LAST_OF_FIRST_SLICE = 24_386;

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(ints = {-2, -1, 0, 1, 2})
  void namesTheLineWhereOrderBreaksNextToACut(int offset) throws IOException {
    int bad = LAST_OF_FIRST_SLICE + offset;
    byte[] text = lines(60_000);
    // Line `bad` takes the hash of the line before it: a duplicate found exactly there.
    System.arraycopy(text, (bad - 2) * 43, text, (bad - 1) * 43, 40);
    InputFormatException e = failure(text);
    assertThat(e.line()).isEqualTo(bad);
    assertThat(e.getMessage()).contains("duplicate hash");
  }

  @ParameterizedTest
  @ValueSource(ints = {-2, -1, 0, 1, 2})
  void namesTheLineWhereOnlyTheLastDigitsGoBackwardsNextToACut(int offset) throws IOException {
    int bad = LAST_OF_FIRST_SLICE + offset;
    byte[] text = lines(60_000);
    // Line `bad` repeats the line before it but for the last digit, which is smaller (and in the other case).
    System.arraycopy(text, (bad - 2) * 43, text, (bad - 1) * 43, 40);
    text[(bad - 2) * 43 + 39] = 'B';
    text[(bad - 1) * 43 + 39] = 'a';
    InputFormatException e = failure(text);
    assertThat(e.line()).isEqualTo(bad);
    assertThat(e.getMessage()).contains("unsorted").endsWith("A comes after " + new String(text, (bad - 2) * 43, 39,
        StandardCharsets.US_ASCII) + "B");
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 0, 1, 2})
  void namesTheLineOfAMalformedLineNextToACut(int offset) throws IOException {
    int bad = LAST_OF_FIRST_SLICE + offset;
    byte[] text = lines(60_000);
    text[(bad - 1) * 43 + 40] = ';';
    InputFormatException e = failure(text);
    assertThat(e.line()).isEqualTo(bad);
    assertThat(e.getMessage()).contains("malformed line");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void readsEveryLineOnceAcrossCuts(int extra) throws IOException {
    int n = 200_000 + extra;
    Path file = Files.write(dir.resolve("in.txt"), lines(n));
    long[] seen = {0};
    HibpInput.open(file).read((hi, lo, count) -> {
      if (hi >>> 32 != seen[0]++) {
        throw new AssertionError("entry " + (seen[0] - 1) + " read as " + Long.toHexString(hi));
      }
    }, bytes -> { });
    assertThat(seen[0]).isEqualTo(n);
  }

  /** Line i (0-based) holds the hash whose first 8 hex digits are i, then zeros, and count 1. */
  private static byte[] lines(int n) {
    byte[] line = ("00000000" + "0".repeat(32) + ":1\n").getBytes(StandardCharsets.US_ASCII);
    byte[] text = new byte[n * 43];
    for (int i = 0; i < n; i++) {
      for (int d = 0; d < 8; d++) {
        line[d] = (byte) Character.toUpperCase(Character.forDigit((i >>> (28 - 4 * d)) & 15, 16));
      }
      System.arraycopy(line, 0, text, i * 43, 43);
    }
    return text;
  }

  private InputFormatException failure(byte[] text) throws IOException {
    Path file = Files.write(dir.resolve("in.txt"), text);
    return catchThrowableOfType(() -> HibpInput.open(file).read((hi, lo, count) -> { }, bytes -> { }),
        InputFormatException.class);
  }
}
