package com.timereg.gateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {
  @TempDir
  Path dir;

  @Test
  void readsUsernamePasswordLinesSkippingHeaderCommentsAndBlanks() throws Exception {
    Path file = Files.writeString(dir.resolve("c.csv"), "username,password\n# staging\n\na@x.test,pa,ss,word\nb@x.test,secret\n");
    assertThat(Credentials.read(file)).containsExactly(
        Map.of("username", "a@x.test", "password", "pa,ss,word"),
        Map.of("username", "b@x.test", "password", "secret"));
  }

  @Test
  void aBadLineIsNamedByNumberWithoutEchoingIt() throws Exception {
    Path file = Files.writeString(dir.resolve("c.csv"), "a@x.test,ok\nonly-a-secret-without-comma\n");
    assertThatThrownBy(() -> Credentials.read(file))
        .hasMessageContaining("line 2")
        .hasMessageNotContaining("only-a-secret");
  }

  @Test
  void anEmptyFileIsAnError() throws Exception {
    Path file = Files.writeString(dir.resolve("c.csv"), "# nothing\n");
    assertThatThrownBy(() -> Credentials.read(file)).hasMessageContaining("no username,password lines");
  }
}
