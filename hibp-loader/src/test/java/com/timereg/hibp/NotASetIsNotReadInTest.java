package com.timereg.hibp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;

/**
 * A file that is not a set, opened as the gateway opens its set ({@link HibpSet.Mapping#PRELOADED}), is refused
 * from its header alone: a breach set path that names the download itself (40-80 GB of text) would otherwise be
 * read whole from disk, evicting the page cache, before "bad magic" was said. The file lives under target/, not
 * /tmp, which may be a tmpfs (always resident).
 */
class NotASetIsNotReadInTest {
  private static final int BYTES = 32 << 20;

  @Test
  void aLargeFileThatIsNotASetIsRefusedWithoutBeingReadIn() throws IOException {
    Path dir = Files.createDirectories(Path.of("target", "not-a-set-test"));
    Path text = dir.resolve("pwnedpasswords.txt");
    byte[] line = "000000005AD76BD555C1D6D771DE417A4B87E4B4:4\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] content = new byte[BYTES];
    for (int i = 0; i < BYTES; i += line.length) {
      System.arraycopy(line, 0, content, i, Math.min(line.length, BYTES - i));
    }
    Files.write(text, content);
    try (FileChannel ch = FileChannel.open(text, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ch.force(true);
      MappedByteBuffer view = ch.map(FileChannel.MapMode.READ_ONLY, 0, BYTES);
      // Written pages stay cached; clean now, they can be dropped, so that "resident" means "read in by open".
      assumeTrue(PageAdvice.dropCachedPages(text) && !view.isLoaded(), "cannot drop the file's cached pages here");

      assertThatThrownBy(() -> HibpSet.open(text, HibpSet.Mapping.PRELOADED))
          .isInstanceOf(CorruptSetException.class).hasMessageContaining("bad magic");

      assertThat(view.isLoaded()).as("the whole file resident after the refused open").isFalse();
    } finally {
      Files.deleteIfExists(text);
    }
  }
}
