package com.timereg.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What YAML allows beyond plain keys and values, and how the gateway reads (or refuses) it. */
class ConfigurationFileShapeTest {
  @TempDir Path dir;

  private Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("gateway.yaml"), yaml);
  }

  private static GatewayConfig load(Path file) {
    return GatewayConfig.load(file, Map.<String, String>of()::get, true);
  }

  @Test
  void anAliasIsRefusedNotReadAsTheNameOfItsAnchor() throws IOException {
    // The YAML reader hands an alias over as its anchor's name: the admin listener would bind "lo", and the
    // access log would go to a file called lo, without a word.
    Path f = write(String.join("\n", "http-redirect:", "  host: &lo 127.0.0.1", "admin:", "  host: *lo",
        "public:", "  access-log: *lo", ""));
    assertThatThrownBy(() -> load(f))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems())
            .anySatisfy(p -> assertThat(p).contains("alias *lo").contains("line 4"))
            .anySatisfy(p -> assertThat(p).contains("line 6")));
  }

  @Test
  void nestedAliasesAreRefusedWithoutBeingExpanded() throws IOException {
    StringBuilder laughs = new StringBuilder("public:\n  allowed-hosts: &a [x.example.com, x.example.com]\n");
    String previous = "a";
    for (char c = 'b'; c <= 'j'; c++) {
      laughs.append("x").append(c).append(": &").append(c).append(" [");
      for (int i = 0; i < 9; i++) {
        laughs.append(i == 0 ? "" : ", ").append('*').append(previous);
      }
      laughs.append("]\n");
      previous = String.valueOf(c);
    }
    assertThatThrownBy(() -> load(write(laughs.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("alias *a");
  }

  @Test
  void aSecondDocumentIsRefusedNotSilentlyIgnored() throws IOException {
    // Only the first document was read: the allowed hosts of the second vanished, leaving every host allowed.
    Path f = write("public:\n  port: 8443\n---\npublic:\n  allowed-hosts: [time.example.com]\n");
    assertThatThrownBy(() -> load(f))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement()
            .satisfies(p -> assertThat(p).contains("more than one YAML document").contains("line 4")));
  }

  @Test
  void oneDocumentWithItsMarkersOrAnEmptyOneAfterItIsRead() throws IOException {
    assertThat(load(write("---\npublic:\n  port: 8445\n...\n")).publicListener().port()).isEqualTo(8445);
    assertThat(load(write("public:\n  port: 8446\n---\n")).publicListener().port()).isEqualTo(8446);
    assertThat(load(write("\uFEFFpublic:\n  port: 8447\n")).publicListener().port()).isEqualTo(8447);
  }

  @Test
  void aTagNamingAJavaClassIsOnlyText() throws IOException {
    Path f = write("public:\n  access-log: !!javax.script.ScriptEngineManager [!!java.net.URL [\"http://x/\"]]\n"
        + "  port: !!java.lang.Runtime 8448\n");
    assertThatThrownBy(() -> load(f))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("public.access-log: expected a single value");
  }

  @Test
  void aYamlErrorNamesItsLineWithoutRepeatingIt() throws IOException {
    // The parser's message quotes the line it stopped at; here that line holds a password written where only a
    // reference may stand, and the message goes to the logs.
    Path f = write("database:\n  password: hunter2: x\n");
    assertThatThrownBy(() -> load(f))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not valid YAML at line 2")
        .hasMessageNotContaining("hunter2");
  }
}
