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
}
