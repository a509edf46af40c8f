package com.timereg.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.testsupport.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The staff member's own secrets, a staff token ({@code --token-file}) and a client certificate's private key
 * ({@code --key-file}): a file others on the machine may read signs them in as that staff member, and one group or
 * others may write lets them swap in their own. Refused as a usage mistake (exit 2) naming the file and its mode,
 * before anything is sent and without quoting what it holds, as ssh refuses such a key.
 */
class AdminSecretFileModeTest {
  private static final String TOKEN = "eyJhbGciOiJFUzI1NiJ9.c3RhZmY.c2lnbmF0dXJl";

  @TempDir Path dir;

  private static AdminCommandTest.Run blocksList(String... credentials) {
    // Port 9 (discard): nothing listens, so only a refusal before connecting can give exit status 2.
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("admin", "--admin-url", "https://127.0.0.1:9"));
    args.addAll(java.util.List.of(credentials));
    args.addAll(java.util.List.of("blocks", "list"));
    return AdminCommandTest.gateway(args.toArray(String[]::new));
  }

  @Test
  void aTokenFileOthersMayReadOrWriteIsRefusedWithoutQuotingIt() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    AdminCommandTest.Run fine = blocksList("--token-file", token.toString());
    assertThat(fine.exit()).as("yours alone is fine; then the connection fails: " + fine.err()).isEqualTo(1);
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r-----"));
    assertThat(blocksList("--token-file", token.toString()).exit()).as("readable by the group is left to you").isEqualTo(1);

    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
    AdminCommandTest.Run readable = blocksList("--token-file", token.toString());
    assertThat(readable.exit()).as(readable.err()).isEqualTo(2);
    assertThat(readable.err()).contains("--token-file").contains(token.toString()).contains("readable by others")
        .contains("0644").contains("chmod o-r").doesNotContain(TOKEN.substring(0, 12)).doesNotContain("\tat ");

    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-rw-rw-"));
    AdminCommandTest.Run writable = blocksList("--token-file", token.toString());
    assertThat(writable.exit()).as(writable.err()).isEqualTo(2);
    assertThat(writable.err()).contains("--token-file").contains("0666").contains("chmod go-w")
        .doesNotContain(TOKEN.substring(0, 12));
  }

  /**
   * A credential option naming a device or an endless stream (/dev/zero, a mistyped /dev/urandom) was read whole:
   * the command filled its heap for seconds and ended in an OutOfMemoryError. It is a usage mistake naming the option,
   * read no further than any real certificate, key or token file could be.
   */
  @Test
  void aCredentialFileWithoutEndIsRefusedAfterAMegabyte() throws Exception {
    for (String option : java.util.List.of("--token-file", "--ca-file")) {
      AdminCommandTest.Run r = blocksList(option, "/dev/zero");
      assertThat(r.exit()).as(option + ": " + r.err()).isEqualTo(2);
      assertThat(r.err()).contains(option).contains("/dev/zero").contains("larger than 1 MiB").doesNotContain("\tat ");
    }
  }

  @Test
  void aPrivateKeyFileOthersMayReadIsRefusedWithoutQuotingIt() throws Exception {
    TestPki pki = new TestPki("admin CLI key file mode test");
    Path cert = dir.resolve("alice.pem");
    Path key = dir.resolve("alice-key.pem");
    TestPki.write(pki.client("CN=alice-sec"), cert, key);
    String[] staff = {"--cert-file", cert.toString(), "--key-file", key.toString()};
    AdminCommandTest.Run fine = blocksList(staff);
    assertThat(fine.exit()).as("yours alone is fine; then the connection fails: " + fine.err()).isEqualTo(1);

    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    AdminCommandTest.Run r = blocksList(staff);
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    String body = Files.readString(key).lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    assertThat(r.err()).contains("--key-file").contains(key.toString()).contains("readable by others")
        .contains("0644").doesNotContain(body).doesNotContain("\tat ");
  }
}
