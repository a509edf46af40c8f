package com.timereg.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevDatabaseTest {

  @Test
  void usesServerFromEnvironmentWithoutStartingALocalOne(@TempDir Path dir) throws Exception {
    Path localDir = dir.resolve("postgres");
    try (DevDatabase db = DevDatabase.open(Map.of(DevDatabase.URL_ENV, "postgresql://app:pw@db.internal:6543/gw"), localDir)) {
      assertThat(db.settings()).isEqualTo(new ConnectionSettings("db.internal", 6543, "gw", "app", "pw"));
      assertThat(db.local()).isEmpty();
      assertThat(Files.exists(localDir)).isFalse();
    }
  }

  @Test
  void badUrlNamesTheVariableButNotThePassword(@TempDir Path dir) {
    Map<String, String> env = Map.of(DevDatabase.URL_ENV, "postgresql://app:topsecret@db.internal:6543/");

    assertThatThrownBy(() -> DevDatabase.open(env, dir))
        .hasMessageStartingWith("GATEWAY_DATABASE_URL: ")
        .message().doesNotContain("topsecret");
  }
}
