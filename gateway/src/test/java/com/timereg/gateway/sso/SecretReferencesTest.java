package com.timereg.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.testsupport.Await;
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

  private final SecretReferences secrets = new SecretReferences(vertx, Map.of("CONTOSO_SSO_SECRET", "from-env")::get);

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

  @Test
  void refusesASecretStoredInsteadOfAReferenceWithoutRepeatingIt() {
    String message = failure(secrets.resolve("s3cr3t-value"));
    assertThat(message).contains("reference").doesNotContain("s3cr3t-value");
  }
}
