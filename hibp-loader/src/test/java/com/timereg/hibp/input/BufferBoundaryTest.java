package com.timereg.hibp.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Lines that straddle read buffers, and files that end exactly where a buffer does, parse like any other. */
class BufferBoundaryTest {
  /** 43-byte lines ("40 hex:1\n") fill a read buffer after its headroom exactly. */
  private static final int LINES_PER_BUFFER = ((4 << 20) - ReadAhead.HEADROOM) / 43;

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(ints = {-1, 0, 1, LINES_PER_BUFFER + 7})
  void everyLineIsReadOnceAroundABufferBoundary(int extraLines) throws IOException {
    int n = LINES_PER_BUFFER + extraLines;
    byte[] line = ("00000000" + "0".repeat(32) + ":1\n").getBytes(StandardCharsets.US_ASCII);
    byte[] text = new byte[n * 43];
    for (int i = 0; i < n; i++) {
      for (int d = 0; d < 8; d++) {
        line[d] = (byte) Character.toUpperCase(Character.forDigit((i >>> (28 - 4 * d)) & 15, 16));
      }
      System.arraycopy(line, 0, text, i * 43, 43);
    }
    Path file = Files.write(dir.resolve("in.txt"), text);
    if (extraLines == 0) {
      assertThat(Files.size(file)).isEqualTo((4 << 20) - ReadAhead.HEADROOM);
    }
    long[] seen = {0};
    HibpInput.open(file).read((hi, lo, count) -> {
      if (hi >>> 32 != seen[0]++ || count != 1) {
        throw new AssertionError("entry " + (seen[0] - 1) + " read as " + Long.toHexString(hi));
      }
    }, bytes -> { });
    assertThat(seen[0]).isEqualTo(n);
  }
}
