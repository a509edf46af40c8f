package com.timereg.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's configuration table against the code: every key the gateway reads has a row (or a {@code section.*}
 * row that sends the reader to conf/gateway.yaml), every key named there exists, and the defaults it gives are the
 * code's (each is set through its environment variable and must read as the default does).
 */
class ReadmeConfigurationTableTest {
  private static final Path README = Path.of("../README.md");
  private static final Pattern CODE = Pattern.compile("`([^`]*)`");

  @TempDir Path dir;

  record Row(List<String> keys, List<String> defaults) {}

  @Test
  void everyKeyHasARowAndEveryRowNamesAKeyWithTheCodesDefault() throws IOException {
    Path empty = Files.writeString(dir.resolve("empty.yaml"), "");
    Map<String, String> defaults = GatewayConfig.load(empty, Map.<String, String>of()::get, true).effective();
    List<Row> rows = rows();
    Set<String> covered = new TreeSet<>();
    Set<String> unknown = new TreeSet<>();
    List<String> wrongDefaults = new ArrayList<>();
    for (Row row : rows) {
      for (int i = 0; i < row.keys().size(); i++) {
        String key = row.keys().get(i);
        if (key.endsWith(".*")) {
          String prefix = key.substring(0, key.length() - 1);
          defaults.keySet().stream().filter(k -> k.startsWith(prefix)).forEach(covered::add);
          continue;
        }
        if (!defaults.containsKey(key)) {
          unknown.add(key);
          continue;
        }
        covered.add(key);
        if (row.defaults().size() == row.keys().size()) {
          String documented = row.defaults().get(i);
          if (documented != null && !readsAsDefault(key, documented, defaults)) {
            wrongDefaults.add(key + ": README says " + documented + ", the code " + defaults.get(key));
          }
        }
      }
    }
    Set<String> missing = new TreeSet<>(defaults.keySet());
    missing.removeAll(covered);
    assertThat(missing).as("keys the gateway reads without a row in the README table").isEmpty();
    assertThat(unknown).as("keys in the README table the gateway does not read").isEmpty();
    assertThat(wrongDefaults).as("defaults in the README table").isEmpty();
  }

  /** Whether {@code documented}, given as the key's value, reads as the default does. */
  private boolean readsAsDefault(String key, String documented, Map<String, String> defaults) {
    if (documented.equals("none")) {
      return defaults.get(key).equals("(none)");
    }
    if (documented.equals("[]") || documented.startsWith("[]")) {
      return defaults.get(key).equals("[]");
    }
    Map<String, String> env = new HashMap<>();
    env.put(ConfigReader.envName(key), documented);
    try {
      Path empty = Files.writeString(dir.resolve("empty.yaml"), "");
      return GatewayConfig.load(empty, env::get, true).effective().get(key).equals(defaults.get(key));
    } catch (IOException | ConfigException e) {
      return false;
    }
  }

  /** The table's rows: keys of the first cell (`a.b` / `.c` / `d`: a.b, a.c, a.d) and the default of each. */
  private static List<Row> rows() throws IOException {
    String readme = Files.readString(README);
    String section = readme.substring(readme.indexOf("## Configuration"), readme.indexOf("## Operations"));
    List<Row> rows = new ArrayList<>();
    for (String line : section.lines().toList()) {
      if (!line.startsWith("| `")) {
        continue;
      }
      String[] cells = line.split("(?<!\\\\)\\|");
      List<String> keys = new ArrayList<>();
      String prefix = "";
      Matcher m = CODE.matcher(cells[1]);
      while (m.find()) {
        String k = m.group(1);
        if (keys.isEmpty()) {
          prefix = k.contains(".") ? k.substring(0, k.lastIndexOf('.') + 1) : "";
          keys.add(k);
        } else {
          keys.add(k.startsWith(".") ? prefix + k.substring(1) : k.contains(".") ? k : prefix + k);
        }
      }
      List<String> defaults = new ArrayList<>();
      // In dev mode (as this test loads) the listeners' hosts are loopback: the cell says so in brackets.
      for (String part : cells[2].split(" / ")) {
        Matcher dev = Pattern.compile("\\(dev mode: `([^`]*)`\\)").matcher(part);
        Matcher v = CODE.matcher(part);
        defaults.add(dev.find() ? dev.group(1) : v.find() ? v.group(1) : part.trim().startsWith("none") ? "none" : null);
      }
      rows.add(new Row(keys, defaults));
    }
    return rows;
  }
}
