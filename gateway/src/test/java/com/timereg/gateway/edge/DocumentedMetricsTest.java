package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.TestPki;
import com.timereg.gateway.testsupport.TrustAllTls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's own meters as a real node's {@code /metrics} shows them, against what README.md and docs/*.md say,
 * both ways: every {@code gateway_*} family scraped is named in the documentation, and every meter the documentation
 * names is scraped, with the labels it names and the label values it quotes. A meter renamed, a label added or
 * dropped, or one added without a word in the docs fails here, not on an SRE's empty dashboard.
 */
@ExtendWith(PostgresExtension.class)
class DocumentedMetricsTest {
  /** Backticked names that begin like a meter but are not one. */
  private static final Set<String> NOT_METERS = Set.of(
      "gateway_session_revoked", "gateway_blocks", // PostgreSQL NOTIFY channels
      "gateway.yaml", "gateway.jvm.flags", "gateway.staging.example");
  /** A meter named in backticks, {@code gateway.x.y} or {@code gateway_x_y}, with what follows it in the span. */
  private static final Pattern MENTION = Pattern.compile("(?<![A-Za-z0-9._])(gateway[._][a-z0-9_.]*[a-z0-9])([^`]*)");
  private static final Pattern SPAN = Pattern.compile("`([^`\n]+)`");

  @TempDir Path dir;

  @Test
  void everyScrapedGatewayMeterIsDocumentedAndEveryDocumentedOneIsScrapedWithItsLabels(TestDatabase db) throws Exception {
    // An admin certificate, so that both values of gateway_tls_certificate_expiry_seconds{listener} exist.
    TestPki.Issued adminCert = new TestPki("documented metrics CA").server();
    TestPki.write(adminCert, dir.resolve("admin-cert.pem"), dir.resolve("admin-key.pem"));
    Gateway gateway = Gateway.start(TestGateways.config(dir, db, Map.of(
        "GATEWAY_ADMIN__TLS__CERT_FILE", dir.resolve("admin-cert.pem").toString(),
        "GATEWAY_ADMIN__TLS__KEY_FILE", dir.resolve("admin-key.pem").toString())));
    Scrape scrape;
    try {
      HttpClient client = HttpClient.newBuilder().sslContext(TrustAllTls.context()).build();
      // Real traffic first (the login page over TLS), as a scrape in production would follow some.
      HttpResponse<String> page = client.send(HttpRequest.newBuilder(
          URI.create("https://127.0.0.1:" + gateway.publicPort() + "/login")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(
          URI.create("https://127.0.0.1:" + gateway.adminPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      scrape = Scrape.parse(r.body());
    } finally {
      gateway.stop();
    }

    List<Mention> mentions = mentions();
    Set<String> documented = new TreeSet<>();
    List<String> problems = new ArrayList<>();
    for (Mention m : mentions) {
      String family = scrape.family(m.name());
      if (family == null) {
        problems.add(m.where() + ": `" + m.name() + "` is documented but not scraped");
        continue;
      }
      documented.add(family);
      Set<String> labels = scrape.labels.get(family);
      Matcher braces = Pattern.compile("^\\{([^}]*)}").matcher(m.rest());
      if (!braces.find()) {
        continue;
      }
      Set<String> named = new TreeSet<>();
      boolean declaration = false;
      for (String part : braces.group(1).split(",")) {
        Matcher kv = Pattern.compile("^\\s*([a-z_]+)\\s*(?:=\\s*\"?([^\",}]*)\"?)?").matcher(part);
        if (!kv.find() || kv.group(1).equals("le") || kv.group(1).equals("quantile")) {
          continue; // a bucket's bound or a quantile, not a label of the meter
        }
        named.add(kv.group(1));
        if (kv.group(2) == null) {
          declaration = true; // {kind}: the meter's labels, not a selector
        } else if (!scrape.values.getOrDefault(family + "/" + kv.group(1), Set.of()).contains(kv.group(2))) {
          problems.add(m.where() + ": `" + m.name() + "` quotes " + kv.group(1) + "=\"" + kv.group(2)
              + "\", scraped values " + scrape.values.get(family + "/" + kv.group(1)));
        }
      }
      if (declaration ? !named.equals(labels) : !labels.containsAll(named)) {
        problems.add(m.where() + ": `" + m.name() + "` documented with labels " + named + ", scraped with " + labels);
      }
    }
    for (String family : scrape.labels.keySet()) {
      if (family.startsWith("gateway_") && !documented.contains(family) && !documented.contains(scrape.timerOf(family))) {
        problems.add("`" + family + "` is scraped but named nowhere in README.md or docs/*.md");
      }
    }
    assertThat(problems).isEmpty();
  }

  private record Mention(String where, String name, String rest) {}

  private static List<Mention> mentions() throws Exception {
    Path root = Path.of("..");
    List<Path> files = new ArrayList<>(List.of(root.resolve("README.md")));
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      // The benchmark log quotes past runs' command lines, not meters.
      docs.filter(p -> p.toString().endsWith(".md") && !p.endsWith("benchmarks.md")).sorted().forEach(files::add);
    }
    List<Mention> mentions = new ArrayList<>();
    for (Path file : files) {
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        Matcher span = SPAN.matcher(lines.get(i));
        while (span.find()) {
          Matcher m = MENTION.matcher(span.group(1));
          while (m.find()) {
            String name = m.group(1);
            // A prefix standing for several (gateway_login_*, gateway.blocks.*) or not a meter at all.
            if (m.group(2).startsWith("*") || m.group(2).startsWith("_*") || m.group(2).startsWith(".*")
                || NOT_METERS.contains(name)) {
              continue;
            }
            mentions.add(new Mention(root.relativize(file) + ":" + (i + 1), name, m.group(2)));
          }
        }
      }
    }
    assertThat(mentions).as("meters named in the docs").hasSizeGreaterThan(40);
    return mentions;
  }

  /** Families (by their TYPE line) with their label names and values, as Prometheus reads the text. */
  private static final class Scrape {
    final Map<String, String> types = new TreeMap<>();
    final Map<String, Set<String>> labels = new TreeMap<>();
    final Map<String, Set<String>> values = new TreeMap<>();

    static Scrape parse(String text) {
      Scrape s = new Scrape();
      Pattern sample = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? \\S+$");
      Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
      for (String line : text.split("\n")) {
        if (line.startsWith("# TYPE ")) {
          String[] f = line.split(" ");
          s.types.put(f[2], f[3]);
          s.labels.put(f[2], new TreeSet<>());
          continue;
        }
        Matcher m = sample.matcher(line);
        if (line.startsWith("#") || !m.matches()) {
          continue;
        }
        String family = s.familyOfSample(m.group(1));
        assertThat(family).as("the family of " + line).isNotNull();
        if (m.group(2) != null) {
          Matcher l = label.matcher(m.group(2));
          while (l.find()) {
            if (!l.group(1).equals("le") && !l.group(1).equals("quantile")) {
              s.labels.get(family).add(l.group(1));
              s.values.computeIfAbsent(family + "/" + l.group(1), k -> new TreeSet<>()).add(l.group(2));
            }
          }
        }
      }
      return s;
    }

    private String familyOfSample(String name) {
      if (types.containsKey(name)) {
        return name;
      }
      for (String suffix : List.of("_count", "_sum", "_bucket")) {
        if (name.endsWith(suffix) && types.containsKey(name.substring(0, name.length() - suffix.length()))) {
          return name.substring(0, name.length() - suffix.length());
        }
      }
      return null;
    }

    /** The family a documented name means: as written, or with the suffix Prometheus adds for its type and unit. */
    String family(String documented) {
      String name = documented.replace('.', '_');
      for (String candidate : List.of(name, name + "_total", name + "_seconds")) {
        if (types.containsKey(candidate)) {
          return candidate;
        }
      }
      return familyOfSample(name);
    }

    /** For a timer's or summary's {@code _max} gauge, the family it belongs to. */
    String timerOf(String family) {
      return family.endsWith("_max") ? family.substring(0, family.length() - 4) : family;
    }
  }
}
