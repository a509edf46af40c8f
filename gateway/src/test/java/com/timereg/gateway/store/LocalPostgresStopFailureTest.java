package com.timereg.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.testsupport.CapturedLogs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A pg_ctl that fails at once (here: it cannot signal the server) is reported as what it is, with its exit status
 * and output, not as a fast shutdown that took too long.
 */
class LocalPostgresStopFailureTest {
  private final Path dir = Path.of("target", "pg-test-stopfail-" + UUID.randomUUID().toString().substring(0, 8))
      .toAbsolutePath();
  private LocalPostgres pg;

  @AfterEach
  void stopAndDelete() throws Exception {
    if (pg != null && pg.isRunning()) {
      pg.stop();
    }
    PostgresExtension.deleteTree(dir);
  }

  @Test
  void aPgCtlThatFailsAtOnceIsReportedWithItsExitStatusAndOutput() throws Exception {
    PostgresBinaries real = PostgresBinaries.find();
    Path bin = dir.resolve("bin");
    Files.createDirectories(bin);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createSymbolicLink(bin.resolve("initdb"), real.initdb());
    Files.createSymbolicLink(bin.resolve("postgres"), real.binDir().resolve("postgres"));
    // Fails a fast stop at once, as pg_ctl does when it may not signal the server; everything else is pg_ctl's.
    Path pgCtl = bin.resolve("pg_ctl");
    Files.writeString(pgCtl, "#!/bin/sh\n"
        + "for a in \"$@\"; do if [ \"$a\" = fast ]; then\n"
        + "  echo 'pg_ctl: could not send stop signal (PID: 4242): Operation not permitted'; exit 3; fi; done\n"
        + "exec '" + real.pgCtl() + "' \"$@\"\n");
    Files.setPosixFilePermissions(pgCtl, PosixFilePermissions.fromString("rwxr-xr-x"));
    pg = LocalPostgres.open(dir.resolve("cluster"), new PostgresBinaries(bin));

    try (CapturedLogs logs = CapturedLogs.atDebug()) {
      pg.stop();

      assertThat(pg.isRunning()).isFalse();
      assertThat(logs.lines()).anySatisfy(line -> assertThat(line)
          .contains("exit status 3").contains("Operation not permitted").doesNotContain("within 15 s"));
    }
  }
}
