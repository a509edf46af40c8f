package com.timereg.hibp.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** O_DIRECT reads whole 4 KiB blocks into aligned buffers; lines, buffers and the file's end come out alike. */
class DirectIoTest {
  @TempDir
  Path dir;

  @Test
  void readsTheSameEntriesAsThroughThePageCache() throws IOException {
    // About 10.8 MB: three read buffers, and a size that is no whole number of blocks.
    Path file = Files.write(dir.resolve("in.txt"), lines(250_001, 0));
    assertThat(Files.size(file) % 4096).isNotZero();
    List<long[]> cached = read(file, false);
    List<long[]> direct = read(file, true);
    assertThat(direct).hasSize(250_001);
    for (int i = 0; i < direct.size(); i++) {
      assertThat(direct.get(i)).as("line %d", i + 1).containsExactly(cached.get(i));
    }
  }

  @Test
  void endsWhereAFileOfWholeBlocksFillingOneBufferEnds() throws IOException {
    // 4 MiB minus the headroom, a whole number of blocks: the read that fills the buffer ends the file.
    int bytes = (4 << 20) - ReadAhead.HEADROOM;
    int longer = bytes % 43;
    Path file = Files.write(dir.resolve("in.txt"), lines(bytes / 43, longer));
    assertThat(Files.size(file)).isEqualTo(bytes);
    assertThat(read(file, true)).hasSize(bytes / 43);
  }

  @Test
  void namesTheLineOfAProblemAsWithoutIt() throws IOException {
    byte[] text = lines(200_000, 0);
    text[150_000 * 43 + 40] = ';';
    Path file = Files.write(dir.resolve("in.txt"), text);
    InputFormatException e = catchThrowableOfType(() -> read(file, true), InputFormatException.class);
    assertThat(e.line()).isEqualTo(150_001);
    assertThat(e.getMessage()).contains("malformed line");
  }

  private static List<long[]> read(Path file, boolean direct) throws IOException {
    List<long[]> got = new ArrayList<>();
    HibpInput.open(file, direct).read((hi, lo, count) -> got.add(new long[] {hi, lo, count}), bytes -> { });
    return got;
  }

  /** Line i holds the hash whose first 8 hex digits are i; the first {@code longer} lines have count 10. */
  private static byte[] lines(int n, int longer) {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      text.writeBytes(String.format("%08X%032X:%d\n", i, 0, i < longer ? 10 : 1).getBytes(StandardCharsets.US_ASCII));
    }
    return text.toByteArray();
  }
}
