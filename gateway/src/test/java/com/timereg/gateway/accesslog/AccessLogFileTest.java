package com.timereg.gateway.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access log's file: permissions, rotation by rename, and a directory that goes away for a while. */
class AccessLogFileTest {
  @TempDir Path dir;

  @Test
  void aNewFileIsOwnerAndGroupOnlyAndAnExistingOneKeepsItsPermissions() throws IOException {
    Path created = dir.resolve("logs/access.log");
    try (AccessLogFile f = AccessLogFile.open(created)) {
      f.write("a\n".getBytes(StandardCharsets.US_ASCII));
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(created))).isEqualTo("rw-r-----");

    Path existing = Files.createFile(dir.resolve("existing.log"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (AccessLogFile f = AccessLogFile.open(existing)) {
      f.write("b\n".getBytes(StandardCharsets.US_ASCII));
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(existing))).isEqualTo("rw-------");
  }

  @Test
  void aRenamedFileIsFollowedByANewOneAtThePath() throws IOException {
    Path path = dir.resolve("access.log");
    try (AccessLogFile f = AccessLogFile.open(path)) {
      f.write("one\n".getBytes(StandardCharsets.US_ASCII));
      Files.move(path, dir.resolve("access.log.1"));
      f.write("two\n".getBytes(StandardCharsets.US_ASCII));
      f.write("three\n".getBytes(StandardCharsets.US_ASCII));
    }
    assertThat(Files.readString(dir.resolve("access.log.1"))).isEqualTo("one\n");
    assertThat(Files.readString(path)).isEqualTo("two\nthree\n");
  }

  @Test
  void whileItsDirectoryIsGoneWritesFailAndTheyResumeWhenItIsBack() throws IOException {
    Path logs = dir.resolve("logs");
    Path path = logs.resolve("access.log");
    try (AccessLogFile f = AccessLogFile.open(path)) {
      f.write("one\n".getBytes(StandardCharsets.US_ASCII));
      Files.delete(path);
      Files.delete(logs);
      // The writer counts the batch as dropped (JsonLinesAccessLogTest), rather than write into a deleted file.
      assertThatThrownBy(() -> f.write("lost\n".getBytes(StandardCharsets.US_ASCII))).isInstanceOf(IOException.class);
      Files.createDirectory(logs);
      f.write("two\n".getBytes(StandardCharsets.US_ASCII));
    }
    assertThat(Files.readString(path)).isEqualTo("two\n");
  }

  @Test
  void onceClosedItIsNotOpenedAgainByALateWrite() throws IOException {
    Path path = dir.resolve("access.log");
    AccessLogFile f = AccessLogFile.open(path);
    f.close();
    Files.delete(path);
    assertThatThrownBy(() -> f.write("late\n".getBytes(StandardCharsets.US_ASCII))).isInstanceOf(IOException.class);
    assertThat(path).doesNotExist();
  }
}
