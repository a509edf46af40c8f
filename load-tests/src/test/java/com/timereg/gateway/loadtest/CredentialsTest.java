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
  void aPasswordIsKeptExactlyEvenWithSpacesAtItsEnds() throws Exception {
    // Spaces are valid in passwords (Django keeps them); a password cut short fails every login
    // of its account, and against a real gateway those failures get the load generator blocked.
    Path file = Files.writeString(dir.resolve("c.csv"), "a@x.test,pass phrase \r\nb@x.test, leading\r\n");
    assertThat(Credentials.read(file)).containsExactly(
        Map.of("username", "a@x.test", "password", "pass phrase "),
        Map.of("username", "b@x.test", "password", " leading"));
  }

  @Test
  void aByteOrderMarkBeforeTheHeaderIsNotTakenForAnAccount() throws Exception {
    // Spreadsheets save "CSV UTF-8" with a byte order mark; the header must still be skipped.
    Path file = Files.writeString(dir.resolve("c.csv"), "\uFEFFusername,password\r\na@x.test,secret\r\n");
    assertThat(Credentials.read(file)).containsExactly(Map.of("username", "a@x.test", "password", "secret"));
  }

  @Test
  void aHeaderBelowCommentsIsNotTakenForAnAccount() throws Exception {
    // As an account, "username" would fail every login, and a real gateway would block the generator for it.
    Path file = Files.writeString(dir.resolve("c.csv"), "# staging accounts\n\nUsername,Password\na@x.test,secret\n");
    assertThat(Credentials.read(file)).containsExactly(Map.of("username", "a@x.test", "password", "secret"));
  }

  @Test
  void anotherHeaderIsRefusedNotTakenForAnAccount() throws Exception {
    // "email,password" from a spreadsheet was the account "email" with the password "password".
    for (String header : new String[] {"email,password", "Login,Pwd", "user name,password"}) {
      Path file = Files.writeString(dir.resolve("c.csv"), "# staging\n" + header + "\na@x.test,secret\n");
      assertThatThrownBy(() -> Credentials.read(file)).as(header)
          .hasMessageContaining("line 2").hasMessageContaining("looks like a header").hasMessageNotContaining("secret");
    }
    // An account whose password happens to be a word is not a header.
    Path file = Files.writeString(dir.resolve("c.csv"), "a@x.test,password\n");
    assertThat(Credentials.read(file)).containsExactly(Map.of("username", "a@x.test", "password", "password"));
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
