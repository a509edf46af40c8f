package com.timereg.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.tls.KeyFileMode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretReferencesTest {
  static Vertx vertx;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    Await.await(vertx.close());
  }

  private final SecretReferences secrets = new SecretReferences(vertx, Map.of("CONTOSO_SSO_SECRET", "from-env")::get,
      KeyFileMode::secretFileRefusal);

  private String failure(Future<String> f) {
    Throwable t = Await.await(f.map(v -> (Throwable) null).otherwise(e -> e));
    assertThat(t).as("expected a failure").isNotNull();
    return t.getMessage();
  }

  @Test
  void resolvesAnEnvironmentVariable() {
    assertThat(Await.await(secrets.resolve("env:CONTOSO_SSO_SECRET"))).isEqualTo("from-env");
    assertThat(failure(secrets.resolve("env:NOT_SET"))).contains("NOT_SET").contains("not set");
  }

  @Test
  void readsAFileWithoutItsTrailingNewline() throws Exception {
    Path file = dir.resolve("secret");
    Files.writeString(file, "from-file\n");
    assertThat(Await.await(secrets.resolve("file:" + file))).isEqualTo("from-file");
    assertThat(failure(secrets.resolve("file:" + dir.resolve("missing")))).contains("cannot read");
    Files.writeString(file, "\n");
    assertThat(failure(secrets.resolve("file:" + file))).contains("empty");
  }

  /**
   * Only a regular file of client-secret size is read. A named pipe would hold a worker thread for ever (one more
   * at every retry of the discovery), /dev/zero would be read until the heap is full, a huge file read whole.
   */
  @Test
  void refusesAPipeADeviceAndAHugeFileWithoutReadingThem() throws Exception {
    Path pipe = dir.resolve("pipe");
    assertThat(new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor()).isZero();
    try {
      assertThat(failure(secrets.resolve("file:" + pipe))).contains(pipe.toString()).contains("not a regular file");
    } finally {
      // Lets a blocked read (if any) end, so the worker thread it holds is given back. Opened for reading and
      // writing, which on Linux does not wait for a reader as a write-only open of a pipe would.
      try (java.io.RandomAccessFile w = new java.io.RandomAccessFile(pipe.toFile(), "rw")) {
        w.write('s');
      }
    }
    assertThat(failure(secrets.resolve("file:/dev/zero"))).contains("not a regular file");
    Path huge = dir.resolve("huge");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(3L << 30); // sparse: takes no disk space
    }
    assertThat(failure(secrets.resolve("file:" + huge))).contains("too large");
    Path link = dir.resolve("link");
    Path target = dir.resolve("target");
    Files.writeString(target, "via-link\n");
    Files.createSymbolicLink(link, target);
    assertThat(Await.await(secrets.resolve("file:" + link))).as("mounted secrets are symbolic links").isEqualTo("via-link");
  }

  /** Whitespace is no client secret: refused as an empty one is, never sent to the provider, never repeated. */
  @Test
  void refusesASecretOfOnlyWhitespace() throws Exception {
    SecretReferences blank = new SecretReferences(vertx, Map.of("CONTOSO_SSO_SECRET", " \t ")::get,
        KeyFileMode::secretFileRefusal);
    assertThat(failure(blank.resolve("env:CONTOSO_SSO_SECRET"))).contains("CONTOSO_SSO_SECRET").contains("whitespace");
    Path file = dir.resolve("secret");
    Files.writeString(file, "   \n");
    assertThat(failure(secrets.resolve("file:" + file))).contains(file.toString()).contains("whitespace");
  }

  /**
   * A client secret file others could replace (its mode, or a directory above it others may write without the
   * sticky bit) is not read, as the start refuses such a database password or key; readable by others stays fine.
   */
  @Test
  void refusesASecretFileOthersCouldReplaceUntilItsModeIsFixed() throws Exception {
    Path secretsDir = Files.createDirectory(dir.resolve("secrets"));
    Path file = Files.writeString(secretsDir.resolve("contoso"), "from-file\n");
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(Await.await(secrets.resolve("file:" + file))).isEqualTo("from-file");
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
    assertThat(failure(secrets.resolve("file:" + file))).contains(file.toString()).contains("0666")
        .doesNotContain("from-file");
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Files.setPosixFilePermissions(secretsDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThat(failure(secrets.resolve("file:" + file))).contains("directory " + secretsDir).contains("0777");
    Files.setAttribute(secretsDir, "unix:mode", 01777);
    assertThat(Await.await(secrets.resolve("file:" + file))).as("the sticky bit").isEqualTo("from-file");
  }

  @Test
  void refusesASecretStoredInsteadOfAReferenceWithoutRepeatingIt() {
    String message = failure(secrets.resolve("s3cr3t-value"));
    assertThat(message).contains("reference").doesNotContain("s3cr3t-value");
  }
}
