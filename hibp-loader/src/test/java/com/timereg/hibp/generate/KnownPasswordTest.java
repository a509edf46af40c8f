package com.timereg.hibp.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The password file of {@code generate --include-passwords}, as editors write it. */
class KnownPasswordTest {
  @TempDir
  Path dir;

  @Test
  void aByteOrderMarkIsNotPartOfTheFirstPassword() throws IOException {
    Path file = Files.write(dir.resolve("passwords.txt"),
        new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'p', 'w', '1', '\t', '7', '\r', '\n', 'p', 'w', '2'});

    assertThat(KnownPassword.read(file)).containsExactly(new KnownPassword("pw1", 7), new KnownPassword("pw2", 0));
  }

  @Test
  void aFileThatIsNotUtf8IsNamedWithWhatIsWrong() throws IOException {
    Path file = Files.write(dir.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n'});

    IOException e = catchThrowableOfType(() -> KnownPassword.read(file), IOException.class);

    assertThat(e).hasMessage(file + ": not valid UTF-8 (passwords are hashed as UTF-8, as the gateway does)");
  }

  @Test
  void aDirectoryIsNamed() {
    IOException e = catchThrowableOfType(() -> KnownPassword.read(dir), IOException.class);

    assertThat(e.getMessage()).startsWith(dir + ": ");
  }
}
