package com.timereg.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code conf/gateway.yaml} "documents every key with its default" (README): keep it true as keys are added. */
class ShippedConfigurationDocumentsEveryKeyTest {
  private static final Path SHIPPED = Path.of("../conf/gateway.yaml");
  /** A key line, set or commented out ({@code   # host: 0.0.0.0}); prose comments have spaces before their colon. */
  private static final Pattern KEY_LINE = Pattern.compile("^( *)(?:# ?)?([a-z0-9-]+):(?:\\s|$)");

  @TempDir Path dir;

  @Test
  void everyKeyTheGatewayReadsIsInTheShippedFile() throws IOException {
    Set<String> undocumented = new TreeSet<>(GatewayConfig.load(SHIPPED, Map.<String, String>of()::get, true).effective().keySet());
    undocumented.removeAll(documentedKeys());
    assertThat(undocumented).as("keys read but not in conf/gateway.yaml").isEmpty();
  }

  @Test
  void theShippedFileShowsTheDefaults() throws IOException {
    Map<String, String> shipped = GatewayConfig.load(SHIPPED, Map.<String, String>of()::get, true).effective();
    Path empty = Files.writeString(dir.resolve("empty.yaml"), "");
    Map<String, String> defaults = GatewayConfig.load(empty, Map.<String, String>of()::get, true).effective();
    assertThat(new java.util.TreeMap<>(shipped)).isEqualTo(new java.util.TreeMap<>(defaults));
  }

  private static Set<String> documentedKeys() throws IOException {
    Set<String> keys = new TreeSet<>();
    Deque<Map.Entry<Integer, String>> path = new ArrayDeque<>();
    for (String line : Files.readAllLines(SHIPPED)) {
      Matcher m = KEY_LINE.matcher(line);
      if (!m.find()) {
        continue;
      }
      int indent = m.group(1).length();
      while (!path.isEmpty() && path.peekLast().getKey() >= indent) {
        path.removeLast();
      }
      path.addLast(Map.entry(indent, m.group(2)));
      keys.add(String.join(".", path.stream().map(Map.Entry::getValue).toList()));
    }
    return keys;
  }
}
