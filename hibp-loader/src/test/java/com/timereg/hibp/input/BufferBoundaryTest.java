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
  private static final int BUFFER_TEXT = (4 << 20) - ReadAhead.HEADROOM;
  /**
   * 43-byte lines ("40 hex:1\n"), the first {@link #LONGER} of them a byte longer ("40 hex:10\n"), fill a
   * read buffer after its headroom exactly.
   */
  private static final int LINES_PER_BUFFER = BUFFER_TEXT / 43;
  private static final int LONGER = BUFFER_TEXT % 43;

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(ints = {-1, 0, 1, LINES_PER_BUFFER + 7})
  void everyLineIsReadOnceAroundABufferBoundary(int extraLines) throws IOException {
    int n = LINES_PER_BUFFER + extraLines;
    StringBuilder text = new StringBuilder(n * 43 + LONGER);
    for (int i = 0; i < n; i++) {
      text.append(String.format("%08X%032X:%d\n", i, 0, i < LONGER ? 10 : 1));
    }
    Path file = Files.writeString(dir.resolve("in.txt"), text, StandardCharsets.US_ASCII);
    if (extraLines == 0) {
      assertThat(Files.size(file)).isEqualTo(BUFFER_TEXT);
    }
    long[] seen = {0};
    HibpInput.open(file).read((hi, lo, count) -> {
      if (hi >>> 32 != seen[0] || count != (seen[0]++ < LONGER ? 10 : 1)) {
        throw new AssertionError("entry " + (seen[0] - 1) + " read as " + Long.toHexString(hi));
      }
    }, bytes -> { });
    assertThat(seen[0]).isEqualTo(n);
  }
}
