package com.timereg.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfSignedCertificateTest {
  @TempDir Path dir;

  @Test
  void theKeyIsOwnerOnlyEvenWhereACrashLeftAReadableTemporaryFile() throws Exception {
    Path leftover = dir.resolve("selfsigned-key.pem.tmp");
    Files.writeString(leftover, "left by a crash");
    Files.setPosixFilePermissions(leftover, PosixFilePermissions.fromString("rw-r--r--"));

    SelfSignedCertificate created = SelfSignedCertificate.loadOrCreate(dir, Clock.systemUTC());

    assertThat(created.keyFile().getFileName().toString()).isEqualTo("selfsigned-key.pem");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(created.keyFile()))).isEqualTo("rw-------");
    assertThat(leftover).doesNotExist();
  }

  /**
   * Dev mode reuses its key across runs: one that group or others were given write access to since (anyone there
   * could have put their own key and certificate in place) or read access (anyone there may hold it) was served
   * anyway, without the mode check every other key file gets at start. It is replaced by a fresh owner-only one.
   */
  @Test
  void aReusedKeyThatGroupOrOthersMayWriteOrOthersMayReadIsReplacedByAFreshOwnerOnlyOne() throws Exception {
    for (String mode : java.util.List.of("rw-rw----", "rw-----w-", "rw----r--")) {
      Path d = dir.resolve(mode.replace('-', '_'));
      SelfSignedCertificate first = SelfSignedCertificate.loadOrCreate(d, Clock.systemUTC());
      Files.setPosixFilePermissions(first.keyFile(), PosixFilePermissions.fromString(mode));

      SelfSignedCertificate next = SelfSignedCertificate.loadOrCreate(d, Clock.systemUTC());

      assertThat(next.generated()).as(mode + ": not reused").isTrue();
      assertThat(next.fingerprint()).isNotEqualTo(first.fingerprint());
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(next.keyFile()))).isEqualTo("rw-------");
    }
  }

  @Test
  void anOwnerOnlyKeyIsReused() throws Exception {
    SelfSignedCertificate first = SelfSignedCertificate.loadOrCreate(dir, Clock.systemUTC());
    SelfSignedCertificate next = SelfSignedCertificate.loadOrCreate(dir, Clock.systemUTC());
    assertThat(next.generated()).isFalse();
    assertThat(next.fingerprint()).isEqualTo(first.fingerprint());
  }
}
