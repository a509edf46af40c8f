package com.timereg.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.testsupport.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's {@code --ca-file} is what it trusts the admin listener by, before it sends a staff token or signs in with
 * a staff certificate: whoever can write it (or rename it away in its directory) adds their own CA and is taken for
 * the listener. Refused as a usage mistake (exit 2) before anything is sent, as the gateway refuses its own CA files.
 */
class AdminCaFileModeTest {
  @TempDir Path dir;

  private Path ca(Path file) throws Exception {
    new TestPki("admin CLI CA file test").writeCa(file);
    return file;
  }

  private static AdminCommandTest.Run blocksList(Path ca) {
    // Port 9 (discard): nothing listens, so only a refusal before connecting can give exit status 2.
    return AdminCommandTest.gateway("admin", "--admin-url", "https://127.0.0.1:9", "--ca-file", ca.toString(),
        "blocks", "list");
  }

  @Test
  void aCaFileGroupOrOthersMayWriteIsRefusedBeforeAnythingIsSent() throws Exception {
    Path ca = ca(dir.resolve("ca.pem"));
    Files.setPosixFilePermissions(ca, PosixFilePermissions.fromString("rw-r--r--"));
    AdminCommandTest.Run fine = blocksList(ca);
    assertThat(fine.exit()).as("readable by others is fine; then the connection fails: " + fine.err()).isEqualTo(1);

    Files.setPosixFilePermissions(ca, PosixFilePermissions.fromString("rw-rw-rw-"));
    AdminCommandTest.Run r = blocksList(ca);
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("--ca-file").contains(ca.toString()).contains("0666").contains("chmod go-w")
        .doesNotContain("\tat ");
  }

  @Test
  void aCaFileInADirectoryOthersMayWriteWithoutTheStickyBitIsRefused() throws Exception {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Path ca = ca(shared.resolve("ca.pem"));
    Files.setPosixFilePermissions(ca, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    AdminCommandTest.Run r = blocksList(ca);
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("--ca-file").contains("directory " + shared).contains("chmod o-w " + shared);
  }
}
