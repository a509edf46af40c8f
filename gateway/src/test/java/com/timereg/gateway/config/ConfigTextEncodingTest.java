package com.timereg.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text written by Windows editors: a configuration file or a {@code file:} secret starting with a UTF-8 byte-order
 * mark, or a file in Latin-1 rather than UTF-8.
 */
class ConfigTextEncodingTest {
  @TempDir Path dir;

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private static byte[] withBom(String text) {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[BOM.length + body.length];
    System.arraycopy(BOM, 0, all, 0, BOM.length);
    System.arraycopy(body, 0, all, BOM.length, body.length);
    return all;
  }

  @Test
  void aSecretFileWithAByteOrderMarkIsReadWithoutIt() throws Exception {
    Path file = Files.write(dir.resolve("db-password"), withBom("s3cret\r\n"));
    String[] problem = new String[1];
    Optional<Secret> s = Secret.resolve("file:" + file, name -> null, problem);
    assertThat(problem[0]).isNull();
    assertThat(s).get().extracting(Secret::reveal).isEqualTo("s3cret");
  }

  @Test
  void aConfigurationFileWithAByteOrderMarkIsRead() throws Exception {
    Path f = Files.write(dir.resolve("gateway.yaml"), withBom("public:\n  port: 9443\n"));
    GatewayConfig config = GatewayConfig.load(f, Map.<String, String>of()::get, true);
    assertThat(config.publicListener().port()).isEqualTo(9443);
  }

  @Test
  void aConfigurationFileThatIsNotUtf8IsSaidToBeSoWithItsLine() throws Exception {
    Path f = Files.write(dir.resolve("gateway.yaml"),
        "public:\n  port: 9443\n# Hjemmeside for k\u00f8benhavn\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, true))
        .isInstanceOf(ConfigException.class).hasMessageContaining(f.toString()).hasMessageContaining("UTF-8")
        .hasMessageContaining("line 3");
  }

  @Test
  void anEnvSecretSetButEmptyIsSaidToBeEmptyNotUnset() throws Exception {
    String[] problem = new String[1];
    assertThat(Secret.resolve("env:DB_PASSWORD", Map.of("DB_PASSWORD", "")::get, problem)).isEmpty();
    assertThat(problem[0]).isEqualTo("environment variable DB_PASSWORD is set but empty");
    assertThat(Secret.resolve("env:DB_PASSWORD", Map.<String, String>of()::get, problem)).isEmpty();
    assertThat(problem[0]).isEqualTo("environment variable DB_PASSWORD is not set");
  }
}
