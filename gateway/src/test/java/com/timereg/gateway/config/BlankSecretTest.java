package com.timereg.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret that is empty or only whitespace (a template's blank value, a secret file holding a newline or spaces)
 * is no password and no key: refused at start naming the key, never taken, never echoed.
 */
class BlankSecretTest {
  @TempDir Path dir;

  private GatewayConfig load(String yaml, Map<String, String> env) throws Exception {
    Path f = Files.writeString(dir.resolve("gateway.yaml"), yaml);
    return GatewayConfig.load(f, env, true);
  }

  private void assertRefused(String yaml, Map<String, String> env, String key) {
    assertThatThrownBy(() -> load(yaml, env)).isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement()
            .satisfies(p -> assertThat(p).startsWith(key + ": ").contains("whitespace")));
  }

  @Test
  void aSecretOfOnlyWhitespaceIsRefusedNamingItsKeyWhereverItComesFrom() throws Exception {
    // The value itself in the override variable.
    assertRefused("", Map.of("GATEWAY_DATABASE__PASSWORD", "   "), "database.password");
    // A variable an env: reference names.
    assertRefused("database:\n  password: env:DB_PASSWORD\n", Map.of("DB_PASSWORD", " \t "), "database.password");
    // A file: holding spaces and its newline, or two newlines (one is dropped as echo's).
    Path spaces = Files.writeString(dir.resolve("db-password"), "  \n");
    assertRefused("database:\n  password: file:" + spaces + "\n", Map.of(), "database.password");
    Path newlines = Files.writeString(dir.resolve("signing.pem"), "\n\n");
    assertRefused("session:\n  algorithm: HS256\n  signing-key: file:" + newlines + "\n", Map.of(),
        "session.signing-key");
    // 32 spaces are long enough for HS256's minimum, and would sign every token with a key anyone can guess.
    assertRefused("session:\n  algorithm: HS256\n", Map.of("GATEWAY_SESSION__SIGNING_KEY", " ".repeat(32)),
        "session.signing-key");
    Path previous = Files.writeString(dir.resolve("previous"), " \r\n");
    assertThatThrownBy(() -> load("", Map.of("GATEWAY_SESSION__VERIFICATION_KEYS", "k0=file:" + previous)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("session.verification-keys")
        .hasMessageContaining("whitespace");
  }

  @Test
  void anEmptySecretOverrideIsRefusedAsAnyOtherEmptyOverrideInsteadOfFallingBackToTheFile() throws Exception {
    // GATEWAY_DATABASE__PASSWORD= (a template's missing value) quietly left the file's reference in force.
    Path file = Files.writeString(dir.resolve("db-password"), "s3cret\n");
    String yaml = "database:\n  password: file:" + file + "\n";
    assertThat(load(yaml, Map.of()).database().connection().password()).isEqualTo("s3cret");
    assertThatThrownBy(() -> load(yaml, Map.of("GATEWAY_DATABASE__PASSWORD", "")))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement()
            .satisfies(p -> assertThat(p).startsWith("database.password: ").contains("GATEWAY_DATABASE__PASSWORD")
                .contains("set but empty")));
  }

  @Test
  void aSecretWithSpacesAroundItsTextIsTakenAsWritten() throws Exception {
    // Only a blank value is refused; a password may begin or end with a space, and only one newline is dropped.
    Path file = Files.writeString(dir.resolve("db-password"), " pass word \n");
    assertThat(load("database:\n  password: file:" + file + "\n", Map.of()).database().connection().password())
        .isEqualTo(" pass word ");
  }
}
