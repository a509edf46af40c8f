package com.timereg.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresBinariesTest {
  @TempDir Path root;

  @Test
  void picksHighestCompleteVersionComparingNumerically() throws IOException {
    Path lib = root.resolve("lib/postgresql");
    fakeServer(lib.resolve("9.6/bin"), "initdb", "pg_ctl", "postgres");
    fakeServer(lib.resolve("15/bin"), "initdb", "pg_ctl", "postgres");
    fakeServer(lib.resolve("16/bin"), "initdb", "postgres"); // pg_ctl missing: not usable

    PostgresBinaries found = PostgresBinaries.find(List.of(root.resolve("empty")), lib);

    assertThat(found.binDir()).isEqualTo(lib.resolve("15/bin").toRealPath());
  }

  @Test
  void prefersSearchPathAndFollowsLinksToTheRealDirectory() throws IOException {
    Path lib = root.resolve("lib/postgresql");
    Path real = fakeServer(root.resolve("opt/pg17/bin"), "initdb", "pg_ctl", "postgres");
    fakeServer(lib.resolve("16/bin"), "initdb", "pg_ctl", "postgres");
    Path onPath = Files.createDirectories(root.resolve("usr/local/bin"));
    for (String name : List.of("initdb", "pg_ctl", "postgres")) {
      Files.createSymbolicLink(onPath.resolve(name), real.resolve(name));
    }

    PostgresBinaries found = PostgresBinaries.find(List.of(root.resolve("bin"), onPath), lib);

    assertThat(found.binDir()).isEqualTo(real.toRealPath());
  }

  @Test
  void missingServerNamesTheDebianPackageAndTheAlternative() {
    assertThatThrownBy(() -> PostgresBinaries.find(List.of(root), root.resolve("lib/postgresql")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("apt-get install postgresql")
        .hasMessageContaining("GATEWAY_DATABASE_URL");
  }

  private static Path fakeServer(Path bin, String... programs) throws IOException {
    Files.createDirectories(bin);
    for (String p : programs) {
      Files.createFile(bin.resolve(p), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }
    return bin;
  }
}
