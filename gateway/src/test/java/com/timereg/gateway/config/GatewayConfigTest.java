package com.timereg.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.timereg.gateway.tls.SelfSignedCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigTest {
  @TempDir Path dir;

  private Path write(String yaml) throws IOException {
    Path f = dir.resolve("gateway.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  /** A real ES256 key reference: keys are parsed with the rest of the configuration. */
  private String signingKey() throws Exception {
    return "file:" + com.timereg.gateway.RunningGateway.writeSigningKey(dir.resolve("session.pem"));
  }

  /** {@code env} with a real certificate and key, which production needs (tls.cert-file is required outside --dev). */
  private Map<String, String> withCertificate(Map<String, String> env) throws IOException {
    SelfSignedCertificate cert = SelfSignedCertificate.loadOrCreate(dir.resolve("tls"), Clock.systemUTC());
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("GATEWAY_TLS__CERT_FILE", cert.certFile().toString());
    all.put("GATEWAY_TLS__KEY_FILE", cert.keyFile().toString());
    return all;
  }

  @Test
  void verifyCaAndVerifyFullWithoutARootCertificateAreRefusedNamingBothKeys() {
    for (String mode : List.of("verify-ca", "verify-full")) {
      assertThatThrownBy(() -> GatewayConfig.load(write("database:\n  ssl-mode: " + mode + "\n"),
          Map.<String, String>of()::get, true))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("database.ssl-mode " + mode)
          .hasMessageContaining("database.ssl-root-cert");
    }
  }

  @Test
  void theDatabaseRootCertificateIsReadAtStartAndRefusedWithModesThatFallBackToPlainText() throws IOException {
    Path ca = SelfSignedCertificate.loadOrCreate(dir.resolve("tls"), Clock.systemUTC()).certFile();
    Path notPem = dir.resolve("not.pem");
    Files.writeString(notPem, "not a certificate\n");

    GatewayConfig c = GatewayConfig.load(write("database:\n  ssl-mode: verify-full\n  ssl-root-cert: " + ca + "\n"),
        Map.<String, String>of()::get, true);
    assertThat(c.database().sslRootCert()).contains(ca);
    for (Path bad : List.of(notPem, dir.resolve("missing.pem"))) {
      assertThatThrownBy(() -> GatewayConfig.load(write("database:\n  ssl-mode: verify-ca\n  ssl-root-cert: " + bad
          + "\n"), Map.<String, String>of()::get, true))
          .hasMessageContaining("database.ssl-root-cert: ").hasMessageContaining(bad.toString());
    }
    assertThatThrownBy(() -> GatewayConfig.load(write("database:\n  ssl-mode: prefer\n  ssl-root-cert: " + ca + "\n"),
        Map.<String, String>of()::get, true))
        .hasMessageContaining("database.ssl-root-cert needs database.ssl-mode require, verify-ca or verify-full");
  }

  @Test
  void emptyFileGivesDocumentedDefaults() throws IOException {
    GatewayConfig c = GatewayConfig.load(write(""), Map.<String, String>of()::get, true);
    assertThat(c.publicListener().port()).isEqualTo(8443);
    assertThat(c.admin().host()).isEqualTo("127.0.0.1");
    assertThat(c.admin().port()).isEqualTo(9090);
    assertThat(c.redirect().enabled()).isFalse();
    assertThat(c.tls().selfSigned()).isTrue();
    assertThat(c.publicListener().hstsMaxAge()).isEqualTo(Duration.ofDays(365));
  }

  @Test
  void listenersBindEveryInterfaceInProductionAndLoopbackInDevModeUnlessTold() throws Exception {
    Map<String, String> secrets = withCertificate(
        Map.of("GATEWAY_DATABASE__PASSWORD", "pw", "GATEWAY_SESSION__SIGNING_KEY", signingKey()));
    GatewayConfig production = GatewayConfig.load(Path.of("../conf/gateway.yaml"), secrets::get);
    assertThat(production.publicListener().host()).isEqualTo("0.0.0.0");
    assertThat(production.redirect().host()).isEqualTo("0.0.0.0");
    // Dev mode's demo users have published passwords: not offered to the network unless asked for.
    GatewayConfig dev = GatewayConfig.load(Path.of("../conf/gateway.yaml"), Map.<String, String>of()::get, true);
    assertThat(dev.publicListener().host()).isEqualTo("127.0.0.1");
    assertThat(dev.redirect().host()).isEqualTo("127.0.0.1");
    GatewayConfig container = GatewayConfig.load(Path.of("../conf/gateway.yaml"),
        Map.of("GATEWAY_PUBLIC__HOST", "0.0.0.0")::get, true);
    assertThat(container.publicListener().host()).isEqualTo("0.0.0.0");
    assertThat(GatewayConfig.load(write("public:\n  host: 0.0.0.0\n"), Map.<String, String>of()::get, true)
        .publicListener().host()).isEqualTo("0.0.0.0");
  }

  @Test
  void committedDefaultFileIsValid() throws Exception {
    GatewayConfig c = GatewayConfig.load(Path.of("../conf/gateway.yaml"), withCertificate(
        Map.of("GATEWAY_DATABASE__PASSWORD", "pw", "GATEWAY_SESSION__SIGNING_KEY", signingKey()))::get);
    assertThat(c.database().connection().password()).isEqualTo("pw");
    assertThat(c.publicListener().port()).isEqualTo(8443);
  }

  @Test
  void ssoSectionMapsOntoItsSettingsAndKeepsTheEnvironmentForSecretReferences() throws IOException {
    Path f = write("sso:\n  public-base-url: https://login.example.com/\n  authority-template: https://idp.example/{tenant}\n"
        + "  discovery-timeout: 3s\n  request-lifetime: 5m\n");
    GatewayConfig c = GatewayConfig.load(f, Map.of("CONTOSO_SSO_SECRET", "x")::get, true);
    assertThat(c.sso().settings().publicBaseUrl()).contains(java.net.URI.create("https://login.example.com"));
    assertThat(c.sso().settings().authorityFor("t1")).isEqualTo("https://idp.example/t1");
    assertThat(c.sso().settings().discoveryTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.sso().settings().requestLifetime()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.sso().settings().devMode()).isTrue();
    assertThat(c.sso().environment().apply("CONTOSO_SSO_SECRET")).isEqualTo("x");
  }

  @Test
  void ssoRefusesAnAuthorityInClearTextAndABaseUrlWithAPath() throws IOException {
    Path f = write("sso:\n  public-base-url: https://login.example.com/app\n  authority-template: http://idp.example/{tenant}\n");
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, true))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(2).allMatch(p -> p.startsWith("sso:")));
  }

  @Test
  void aBaseUrlWithUserInfoIsRefusedWithoutRepeatingIt() throws IOException {
    // Accepted, it stood in the effective-configuration log line and in every redirect URI sent to Microsoft.
    Path f = write("sso:\n  public-base-url: https://admin:s3cret@login.example.com\n");
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, true))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement()
            .satisfies(p -> assertThat(p).startsWith("sso:").contains("public-base-url").doesNotContain("s3cret")));
  }

  @Test
  void reportsEveryMistakeTogetherWithItsKeyPath() throws IOException {
    Path f = write("public:\n  port: 70000\ntls:\n  engine: rot13\nadmin:\n  prot: 9\n");
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, true))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(3)
            .anySatisfy(p -> assertThat(p).startsWith("public.port:").contains("65535"))
            .anySatisfy(p -> assertThat(p).startsWith("tls.engine:").contains("openssl"))
            .anySatisfy(p -> assertThat(p).startsWith("admin.prot:").contains("unknown key")));
  }

  @Test
  void breachSetFailsClosedByDefaultAndIsReadFromTheHibpSection() throws IOException {
    GatewayConfig defaults = GatewayConfig.load(write(""), Map.<String, String>of()::get, true);
    assertThat(defaults.hibp().setPath()).isEmpty();
    assertThat(defaults.hibp().allowWithoutSet()).isFalse();
    assertThat(defaults.hibp().reloadInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(defaults.hibp().hugePages()).isTrue();

    GatewayConfig c = GatewayConfig.load(write("hibp:\n  set-path: /var/lib/gateway/hibp/current.set\n"
        + "  reload-interval: 5s\n  allow-without-set: true\n  huge-pages: false\n  verify-on-load: false\n"), Map.<String, String>of()::get, true);
    assertThat(c.hibp().setPath()).contains(Path.of("/var/lib/gateway/hibp/current.set"));
    assertThat(c.hibp().reloadInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.hibp().allowWithoutSet()).isTrue();
    assertThat(c.hibp().hugePages()).isFalse();
    assertThat(c.hibp().verifyOnLoad()).isFalse();

    Path bad = write("hibp:\n  reload-interval: 1ms\n  allow-without-set: maybe\n");
    assertThatThrownBy(() -> GatewayConfig.load(bad, Map.<String, String>of()::get, true))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(2)
            .anySatisfy(p -> assertThat(p).startsWith("hibp.reload-interval:"))
            .anySatisfy(p -> assertThat(p).startsWith("hibp.allow-without-set:")));
  }

  @Test
  void allowedHostsAreHostNamesMatchedWithoutCaseAndWithTheirSubdomainsWhenDotted() throws IOException {
    GatewayConfig c = GatewayConfig.load(write("public:\n  allowed-hosts: [App.Example.com, .example.org, 192.0.2.7]\n"),
        Map.<String, String>of()::get, true);
    assertThat(c.publicListener().allowsHost("app.example.com")).isTrue();
    assertThat(c.publicListener().allowsHost("APP.EXAMPLE.COM.")).isTrue();
    assertThat(c.publicListener().allowsHost("app.example.com:8443")).as("a Host header's port").isTrue();
    assertThat(c.publicListener().allowsHost(":8443")).isFalse();
    assertThat(c.publicListener().allowsHost("example.org")).isTrue();
    assertThat(c.publicListener().allowsHost("time.example.org")).isTrue();
    assertThat(c.publicListener().allowsHost("192.0.2.7")).isTrue();
    assertThat(c.publicListener().allowsHost("evil-example.org")).isFalse();
    assertThat(c.publicListener().allowsHost("example.com")).isFalse();
    assertThat(c.publicListener().allowsHost(null)).isFalse();
    assertThat(GatewayConfig.load(write("public:\n  port: 8443\n"), Map.<String, String>of()::get, true)
        .publicListener().allowsHost("anything.example")).as("none configured: any host").isTrue();

    Path bad = write("public:\n  allowed-hosts: ['https://app.example.com', 'app.example.com:8443', '/x']\n");
    assertThatThrownBy(() -> GatewayConfig.load(bad, Map.<String, String>of()::get, true))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(3)
            .allSatisfy(p -> assertThat(p).startsWith("public.allowed-hosts:")));
  }

  @Test
  void environmentOverridesTheFile() throws IOException {
    Path f = write("public:\n  port: 8443\ntls:\n  reload-interval: 10s\n");
    GatewayConfig c = GatewayConfig.load(f,
        Map.of("GATEWAY_PUBLIC__PORT", "9443", "GATEWAY_TLS__RELOAD_INTERVAL", "250ms")::get, true);
    assertThat(c.publicListener().port()).isEqualTo(9443);
    assertThat(c.tls().reloadInterval()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void refusesLiteralSecretInTheFile() throws IOException {
    Path f = write("database:\n  password: hunter2\n");
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, true))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("database.password")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void secretsComeFromEnvironmentOrFileAndAreMaskedInTheEffectiveConfiguration() throws IOException {
    Path secret = dir.resolve("db-password");
    Files.writeString(secret, "s3cret-from-file\n");
    GatewayConfig fromFile = GatewayConfig.load(write("database:\n  password: file:" + secret + "\n"), Map.<String, String>of()::get, true);
    assertThat(fromFile.database().connection().password()).isEqualTo("s3cret-from-file");
    assertThat(fromFile.describe()).doesNotContain("s3cret");

    GatewayConfig fromEnv = GatewayConfig.load(write(""), Map.of("GATEWAY_DATABASE__PASSWORD", "literal-in-env")::get, true);
    assertThat(fromEnv.database().connection().password()).isEqualTo("literal-in-env");
    assertThat(fromEnv.describe()).contains("database.password = ****").doesNotContain("literal-in-env");
  }

  @Test
  void aVerificationKeyGivenAsTheKeyItselfIsRefusedWithoutPrintingIt() throws IOException {
    String material = "hs256-shared-secret-pasted-here-0123456789abcdef";
    assertThatThrownBy(() -> GatewayConfig.load(write(""),
        Map.of("GATEWAY_SESSION__VERIFICATION_KEYS", "k0=env:OLD_KEY," + material, "OLD_KEY", "x".repeat(40))::get, true))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("session.verification-keys: entry 2")
        .hasMessageNotContaining(material);
  }

  /**
   * {@code GATEWAY_BACKEND__URL=} (an unset variable in a template, a compose file's {@code ${URL:-}}) is set but
   * empty. It was taken as "no value" and the key got the code's default, not the file's: here the backend
   * became http://127.0.0.1:8000 instead of the one configured, while a number or a switch left empty stopped the
   * start. An empty override of a single value is now refused, naming the variable; lists may be emptied.
   */
  @Test
  void anEmptyOverrideOfASingleValueIsRefusedNamingTheVariableRatherThanFallingToTheCodesDefault() throws IOException {
    Path f = write("backend:\n  url: https://backend.internal:8443\nthrottle:\n  allowlist: [192.0.2.0/24]\n");
    for (String variable : List.of("GATEWAY_BACKEND__URL", "GATEWAY_SSO__PUBLIC_BASE_URL", "GATEWAY_PUBLIC__PORT")) {
      assertThatThrownBy(() -> GatewayConfig.load(f, Map.of(variable, " ")::get, true))
          .as(variable).isInstanceOf(ConfigException.class)
          .hasMessageContaining(variable).hasMessageContaining("empty");
    }
    assertThat(GatewayConfig.load(f, Map.of("GATEWAY_THROTTLE__ALLOWLIST", "")::get, true).throttle().allowlist())
        .as("a list may be emptied").isEmpty();
  }

  /**
   * The same mistake in the file: a value written as "" (a template's variable rendered empty, url: "${BACKEND_URL}")
   * gave a text key the code's default without a word: the backend became http://127.0.0.1:8000, public.host
   * 0.0.0.0 (every interface, where an internal address was meant), while a number left "" stopped the start.
   * Refused, naming the key; a key given no value at all (url:) still means its default.
   */
  @Test
  void anEmptyValueInTheFileIsRefusedNamingTheKeyRatherThanFallingToTheCodesDefault() throws IOException {
    for (String yaml : List.of("backend:\n  url: \"\"\n", "public:\n  host: '  '\n", "data-dir: \"\"\n",
        "database:\n  password: \"\"\n", "tls:\n  cert-file: \"\"\n")) {
      assertThatThrownBy(() -> GatewayConfig.load(write(yaml), Map.<String, String>of()::get, true))
          .as(yaml).isInstanceOf(ConfigException.class)
          .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement()
              .satisfies(p -> assertThat(p).contains(": is empty")));
    }
    GatewayConfig unset = GatewayConfig.load(write("backend:\n  url:\npublic:\n  host:\n"), Map.<String, String>of()::get, true);
    assertThat(unset.backend().backend().toString()).as("no value: the default").isEqualTo("http://127.0.0.1:8000");
  }

  /**
   * An empty list item ("- " with nothing after it, "~", "") was read as the word "null": a host named "null" allowed,
   * a public path prefix "null", a dictionary file "null". It is refused, naming the key and the item.
   */
  @Test
  void anEmptyItemOfAListIsRefusedNotReadAsTheWordNull() throws IOException {
    for (String yaml : List.of("public:\n  allowed-hosts:\n    - time.example.com\n    -\n",
        "public:\n  allowed-hosts: [time.example.com, ~]\n", "backend:\n  public-paths: [\"/static/\", \"\"]\n")) {
      assertThatThrownBy(() -> GatewayConfig.load(write(yaml), Map.<String, String>of()::get, true))
          .as(yaml).isInstanceOf(ConfigException.class)
          .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement()
              .satisfies(p -> assertThat(p).contains("item 2 is empty")));
    }
  }

  /**
   * A password in the authority template's user info went, verbatim, into the effective configuration logged at start
   * (the template is no secret setting), and would never match a token's issuer. It is refused without being printed,
   * as are a query and a fragment, which no issuer has.
   */
  @Test
  void anAuthorityTemplateWithUserInfoAQueryOrAFragmentIsRefusedWithoutPrintingTheUserInfo() throws IOException {
    for (String template : List.of("https://svc:s3cret-pw@idp.example/{tenant}/v2.0",
        "https://idp.example/{tenant}/v2.0?x=s3cret-pw", "https://idp.example/{tenant}/v2.0#s3cret-pw")) {
      assertThatThrownBy(() -> GatewayConfig.load(write(""), Map.of("GATEWAY_SSO__AUTHORITY_TEMPLATE", template)::get, true))
          .as(template).isInstanceOf(ConfigException.class)
          .hasMessageContaining("authority-template").hasMessageNotContaining("s3cret-pw");
    }
  }

  @Test
  void theCapOfPendingSignInsIsReadAndMustBePositive() throws IOException {
    assertThat(GatewayConfig.load(write(""), Map.<String, String>of()::get, true).sso().settings().maxPendingSignIns())
        .isEqualTo(1_000_000);
    assertThat(GatewayConfig.load(write("sso:\n  max-pending-sign-ins: 5000\n"), Map.<String, String>of()::get,
        true).sso().settings().maxPendingSignIns()).isEqualTo(5000);
    for (String bad : List.of("0", "-1", "many")) {
      assertThatThrownBy(() -> GatewayConfig.load(write(""),
          Map.of("GATEWAY_SSO__MAX_PENDING_SIGN_INS", bad)::get, true))
          .as(bad).isInstanceOf(ConfigException.class).hasMessageContaining("max-pending-sign-ins");
    }
  }

  @Test
  void theSignInStartAllowanceIsReadAndMustBePositive() throws IOException {
    assertThat(GatewayConfig.load(write("sso:\n  max-starts-per-address-per-minute: 1000\n"), Map.<String, String>of()::get,
        true).sso().settings().maxStartsPerAddressPerMinute()).isEqualTo(1000);
    for (String bad : List.of("0", "-1", "many")) {
      assertThatThrownBy(() -> GatewayConfig.load(write(""),
          Map.of("GATEWAY_SSO__MAX_STARTS_PER_ADDRESS_PER_MINUTE", bad)::get, true))
          .as(bad).isInstanceOf(ConfigException.class).hasMessageContaining("max-starts-per-address-per-minute");
    }
  }

  @Test
  void aSecretWrittenAsASectionIsAProblemNotAnAbsentSecret() throws IOException {
    Path f = write("database:\n  password:\n    file: /run/secrets/db\n");
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, true))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("database.password:");
  }

  @Test
  void missingSecretReferenceIsAProblem() throws IOException {
    Path f = write("database:\n  password: env:NOT_SET_ANYWHERE\n");
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, true))
        .hasMessageContaining("database.password: environment variable NOT_SET_ANYWHERE is not set");
  }

  @Test
  void certificateWithoutKeyIsAProblem() throws IOException {
    Path f = write("tls:\n  cert-file: /etc/cert.pem\n");
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, true))
        .hasMessageContaining("cert-file and key-file go together");
  }

  @Test
  void unreadableCertificateFilesAreReportedWithTheRest() throws IOException {
    Path f = write("tls:\n  cert-file: " + dir.resolve("typo-cert.pem") + "\n  key-file: " + dir.resolve("typo-key.pem")
        + "\npublic:\n  port: eighty\n");
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, true))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(3)
            .anySatisfy(p -> assertThat(p).startsWith("tls.cert-file: cannot read"))
            .anySatisfy(p -> assertThat(p).startsWith("tls.key-file: cannot read"))
            .anySatisfy(p -> assertThat(p).startsWith("public.port:")));
  }

  @Test
  void theRedirectListenerMustNotShareAPortWithTheOtherListeners() throws IOException {
    // Vert.x shares one socket between servers on one port and deals the connections out in turn: every other
    // HTTPS connection would meet the plain-HTTP redirect listener and fail its handshake.
    Path f = write("public:\n  port: 8443\nhttp-redirect:\n  enabled: true\n  port: 8443\n");
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, true))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http-redirect.port: must differ from public.port (8443)");
    Path g = write("admin:\n  port: 9091\nhttp-redirect:\n  enabled: true\n  port: 9091\n");
    assertThatThrownBy(() -> GatewayConfig.load(g, Map.<String, String>of()::get, true))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http-redirect.port: must differ from admin.port (9091)");
    assertThat(GatewayConfig.load(write("http-redirect:\n  enabled: false\n  port: 8443\n"),
        Map.<String, String>of()::get, true).redirect().port()).as("a listener that is off takes no port").isEqualTo(8443);
  }

  @Test
  void brokenYamlNamesTheLine() throws IOException {
    Path f = write("public:\n  port: 8443\n   host: [\n");
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, true))
        .hasMessageContaining("not valid YAML at line");
  }

  @Test
  void missingFileIsNamed() {
    assertThatThrownBy(() -> GatewayConfig.load(dir.resolve("nope.yaml"), Map.<String, String>of()::get, true))
        .hasMessageContaining("nope.yaml: file not found");
  }

  /**
   * Each configured entry of a throttle map costs about 121 bytes of file, allocated when the map is created, and
   * of mapped memory (ThrottleStorageSettings.BYTES_PER_ENTRY). The bound was 500 000 000, about 60 GB per map
   * written out at start: a value no node survives. Now 50 000 000 (about 6 GB), named in the refusal.
   */
  @Test
  void throttleMapCapacitiesAreHeldToWhatANodeCanHold() throws IOException {
    for (String key : new String[] {"client-entries", "range-entries"}) {
      assertThatThrownBy(() -> GatewayConfig.load(write("throttle:\n  " + key + ": 500000000\n"),
          Map.<String, String>of()::get, true))
          .as(key).isInstanceOf(ConfigException.class)
          .hasMessageContaining("throttle." + key + ": must be between 1000 and 50000000, got 500000000");
      assertThat(GatewayConfig.load(write("throttle:\n  " + key + ": 50000000\n"), Map.<String, String>of()::get,
          true).throttle().storage().clientEntries()).as(key).isPositive();
    }
  }

  @Test
  void parsesDurationsAndSizes() throws IOException {
    GatewayConfig c = GatewayConfig.load(write("public:\n  max-body-size: 2m\n  idle-timeout: 90s\n  max-header-size: 32k\n"),
        Map.<String, String>of()::get, true);
    assertThat(c.publicListener().maxBodySize()).isEqualTo(2L << 20);
    assertThat(c.publicListener().idleTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.publicListener().maxHeaderSize()).isEqualTo(32 * 1024);
  }

  /** A backend URL is refused without repeating a password it carries; a scheme in capitals is still http. */
  @Test
  void aRefusedBackendUrlIsNotRepeatedWithItsPassword() throws IOException {
    for (String url : java.util.List.of("ftp://svc:topsecret@backend.internal", "HTTP://svc:topsecret@backend.internal",
        "https://svc:topsecret@backend.internal/app")) {
      Path f = write("backend:\n  url: \"" + url + "\"\n");
      assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, true))
          .as(url).isInstanceOf(ConfigException.class)
          .satisfies(e -> assertThat(((ConfigException) e).problems())
              .isNotEmpty().noneMatch(p -> p.contains("topsecret")));
    }
    Path upper = write("backend:\n  url: \"HTTPS://backend.internal:8443\"\n");
    assertThat(GatewayConfig.load(upper, Map.<String, String>of()::get, true).backend().backend().getPort())
        .isEqualTo(8443);
  }

  /** A NUL in a path is a problem reported with the rest, not an InvalidPathException out of loading. */
  @Test
  void aPathThatIsNoPathIsAProblemNotAnException() throws IOException {
    Path f = write("data-dir: \"data\\0x\"\npublic:\n  access-log: \"/tmp/a\\0b\"\ntls:\n  cert-file: \"c\\0c\"\n  key-file: k.pem\n"
        + "password:\n  extra-dictionaries: [\"w\\0w\"]\nsession:\n  signing-key: \"file:k\\0k\"\n");
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, false))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems())
            .anySatisfy(p -> assertThat(p).startsWith("data-dir:"))
            .anySatisfy(p -> assertThat(p).startsWith("public.access-log:"))
            .anySatisfy(p -> assertThat(p).startsWith("tls.cert-file:"))
            .anySatisfy(p -> assertThat(p).startsWith("password.extra-dictionaries:"))
            .anySatisfy(p -> assertThat(p).startsWith("session.signing-key:").contains("not a usable path")));
  }

  /**
   * A secret file is read whole: file:/dev/zero was read until memory ran out, a FIFO blocked the start for
   * ever, and a large file named by mistake became the password.
   */
  @Test
  void aSecretFileThatIsNoFileOrIsHugeIsAProblemNotReadWhole() throws IOException {
    Path big = dir.resolve("big.txt");
    Files.write(big, new byte[2 * 1024 * 1024]);
    Path f = write("database:\n  password: \"file:" + big + "\"\nsession:\n  signing-key: \"file:/dev/zero\"\n");
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), () ->
        assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, false))
            .isInstanceOf(ConfigException.class)
            .satisfies(e -> assertThat(((ConfigException) e).problems())
                .anySatisfy(p -> assertThat(p).startsWith("database.password:").contains("larger than"))
                .anySatisfy(p -> assertThat(p).startsWith("session.signing-key:").contains("not a regular file"))));
  }

  @Test
  void numbersTooLargeForTheirTypeAreProblemsReportedWithTheRest() throws IOException {
    Path f = write("public:\n  idle-timeout: 99999999999999999999s\n  max-body-size: 99999999999999999999\n"
        + "  hsts-max-age: 999999999999999d\n  port: eighty\n");
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, true))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(4)
            .anySatisfy(p -> assertThat(p).startsWith("public.idle-timeout:"))
            .anySatisfy(p -> assertThat(p).startsWith("public.max-body-size:"))
            .anySatisfy(p -> assertThat(p).startsWith("public.hsts-max-age:"))
            .anySatisfy(p -> assertThat(p).startsWith("public.port:")));
  }

  @Test
  void aSizeWhoseMultipleOverflowsIsRefusedNotWrappedAround() throws IOException {
    // 2^34 GiB is 2^64 bytes: shifted in a long it wraps to 0, which max-body-size would accept.
    Path f = write("public:\n  max-body-size: 17179869184g\n");
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, true))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("public.max-body-size");
  }

  @Test
  void anInvalidNodeIdIsAProblemReportedWithTheRest() throws IOException {
    Path f = write("throttle:\n  node-id: \"pod 1!\"\npublic:\n  port: eighty\n");
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, true))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(2)
            .anySatisfy(p -> assertThat(p).startsWith("throttle.node-id:").contains("letters, digits"))
            .anySatisfy(p -> assertThat(p).startsWith("public.port:")));
  }

  @Test
  void shutdownWaitsTwentySecondsForRequestsInFlightUnlessConfigured() throws IOException {
    GatewayConfig defaults = GatewayConfig.load(write(""), Map.<String, String>of()::get, true);
    assertThat(defaults.publicListener().shutdownDelay()).isZero();
    assertThat(defaults.publicListener().shutdownGrace()).isEqualTo(Duration.ofSeconds(20));

    GatewayConfig c = GatewayConfig.load(write("public:\n  shutdown-delay: 5s\n  shutdown-grace: 2m\n"),
        Map.<String, String>of()::get, true);
    assertThat(c.publicListener().shutdownDelay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.publicListener().shutdownGrace()).isEqualTo(Duration.ofMinutes(2));

    assertThatThrownBy(() -> GatewayConfig.load(write("public:\n  shutdown-grace: 2h\n"), Map.<String, String>of()::get, true))
        .hasMessageContaining("public.shutdown-grace");
    assertThatThrownBy(() -> GatewayConfig.load(write("public:\n  shutdown-delay: -1s\n"), Map.<String, String>of()::get, true))
        .hasMessageContaining("public.shutdown-delay");
  }

  @Test
  void theAccessLogGoesToStandardOutputUnlessSwitchedOffOrSentToAFile() throws IOException {
    assertThat(GatewayConfig.load(write(""), Map.<String, String>of()::get, true).publicListener().accessLog())
        .isEqualTo("stdout");
    assertThat(GatewayConfig.load(write("public:\n  access-log: off\n"), Map.<String, String>of()::get, true)
        .publicListener().accessLog()).as("YAML's unquoted off is a boolean").isEqualTo("off");
    assertThat(GatewayConfig.load(write(""), Map.of("GATEWAY_PUBLIC__ACCESS_LOG", "/var/log/gateway/access.log")::get,
        true).publicListener().accessLog()).isEqualTo("/var/log/gateway/access.log");
  }

  @Test
  void readsThrottleAndClientAddressSettings() throws IOException {
    GatewayConfig c = GatewayConfig.load(write(String.join("\n",
        "client-address:", "  trusted-proxies: [10.0.0.0/8, '2001:db8::/32']",
        "throttle:", "  ip-failure-limit: 5", "  scope: login-only", "  allowlist: [192.0.2.0/24]", "")),
        Map.<String, String>of()::get, true);
    assertThat(c.throttle().trustedProxies()).hasSize(2);
    assertThat(c.throttle().policy().ipFailureLimit()).isEqualTo(5);
    assertThat(c.throttle().scope()).isEqualTo(ThrottleConfig.BlockScope.LOGIN_ONLY);
    assertThat(c.throttle().allowlist()).extracting(Object::toString).containsExactly("192.0.2.0/24");
    assertThat(c.throttle().storage().dataDirectory()).isEqualTo(Path.of("data", "throttle"));
  }

  @Test
  void reportsBadCidrsAndInconsistentThrottleSettings() throws IOException {
    Path f = write(String.join("\n",
        "client-address:", "  trusted-proxies: [10.0.0.0/33]", "  ipv4-range-prefix: 32", "  ipv4-client-prefix: 24",
        "throttle:", "  first-block: 2d", "  max-block: 1d", ""));
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, true))
        .hasMessageContaining("client-address.trusted-proxies:")
        .hasMessageContaining("ipv4-range-prefix (32) must not be longer than ipv4-client-prefix (24)")
        .hasMessageContaining("first-block");
  }

  @Test
  void peopleHeadroomSettingsAreReadAndHeldToWhatAFewStolenAccountsMayBuy() throws IOException {
    Path good = write(String.join("\n", "throttle:", "  success-headroom-per-user: 3",
        "  max-success-headroom-factor: 6", "  success-people-capacity: 5000", ""));
    ThrottleConfig t = GatewayConfig.load(good, Map.<String, String>of()::get, true).throttle();
    assertThat(t.policy().successHeadroomPerUser()).isEqualTo(3);
    assertThat(t.policy().maxSuccessHeadroomFactor()).isEqualTo(6.0);
    assertThat(t.policy().successPeopleCapacity()).isEqualTo(5000);

    Path bad = write(String.join("\n", "throttle:", "  success-headroom-per-user: -1",
        "  max-success-headroom-factor: 40", "  success-people-capacity: 0", ""));
    assertThatThrownBy(() -> GatewayConfig.load(bad, Map.<String, String>of()::get, true))
        .hasMessageContaining("throttle.success-headroom-per-user")
        .hasMessageContaining("throttle.max-success-headroom-factor")
        .hasMessageContaining("throttle.success-people-capacity");

    Path belowTwofold = write(String.join("\n", "throttle:", "  success-headroom-factor: 3",
        "  max-success-headroom-factor: 2.5", ""));
    assertThatThrownBy(() -> GatewayConfig.load(belowTwofold, Map.<String, String>of()::get, true))
        .hasMessageContaining("max-success-headroom-factor (2.5) must not be below success-headroom-factor (3.0)");
  }

  @Test
  void trustedProxiesThatCoverAWholeAddressFamilyAreRefused() throws IOException {
    // Every peer trusted: any client names whatever address it likes in X-Forwarded-For, and is never blocked.
    for (String everyone : List.of("0.0.0.0/0", "'::/0'", "'::ffff:0:0/96'")) {
      Path f = write(String.join("\n", "client-address:", "  trusted-proxies: [10.0.0.0/8, " + everyone + "]", ""));
      assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, true)).as(everyone)
          .hasMessageContaining("client-address.trusted-proxies:")
          .hasMessageContaining("trusts every");
    }
    Path narrow = write(String.join("\n", "client-address:", "  trusted-proxies: [0.0.0.0/1, '2001:db8::/32']", ""));
    assertThat(GatewayConfig.load(narrow, Map.<String, String>of()::get, true).throttle().trustedProxies()).hasSize(2);
  }

  @Test
  void anAllowlistEntryWiderThanTheConsoleAllowsIsRefused() throws IOException {
    // 0.0.0.0/0 on the allowlist switched brute-force protection off for everyone, silently.
    for (String wide : List.of("0.0.0.0/0", "10.0.0.0/7", "'::/0'", "'2000::/15'", "'::ffff:0:0/96'")) {
      Path f = write(String.join("\n", "throttle:", "  allowlist: [192.0.2.0/24, " + wide + "]", ""));
      assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get, true)).as(wide)
          .hasMessageContaining("throttle.allowlist:")
          .hasMessageContaining("too wide");
    }
    Path widest = write(String.join("\n", "throttle:", "  allowlist: [10.0.0.0/8, '2001::/16', 192.0.2.7]", ""));
    assertThat(GatewayConfig.load(widest, Map.<String, String>of()::get, true).throttle().allowlist()).hasSize(3);
  }

  @Test
  void theProxyProtocolNeedsTheLoadBalancersToBeNamed() throws IOException {
    // With no trusted proxy every PROXY header would name nobody, and every client would be the balancer.
    Path without = write(String.join("\n", "public:", "  proxy-protocol: true", ""));
    assertThatThrownBy(() -> GatewayConfig.load(without, Map.<String, String>of()::get, true))
        .hasMessageContaining("public.proxy-protocol: needs client-address.trusted-proxies");
    Path with = write(String.join("\n", "public:", "  proxy-protocol: true", "client-address:",
        "  trusted-proxies: [10.0.0.0/8]", ""));
    assertThat(GatewayConfig.load(with, Map.<String, String>of()::get, true).publicListener().proxyProtocol()).isTrue();
    assertThat(GatewayConfig.load(write(""), Map.<String, String>of()::get, true).publicListener().proxyProtocol())
        .isFalse();
  }

  @Test
  void productionRequiresASessionSigningKeyDevModeDoesNot() throws IOException {
    Path f = write("");
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get))
        .hasMessageContaining("session.signing-key: required outside dev mode");
    assertThat(GatewayConfig.load(f, Map.<String, String>of()::get, true).session().keys().devMode()).isTrue();
  }

  @Test
  void sessionKeysAndAlgorithmAreCheckedWithTheRestWithoutRepeatingTheKey() throws Exception {
    // Found at load time (exit status 2, every problem listed), not after the database is up as an exception.
    assertThatThrownBy(() -> GatewayConfig.load(write("session:\n  algorithm: none\n"), Map.<String, String>of()::get, true))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems())
            .singleElement().satisfies(p -> assertThat(p).startsWith("session.algorithm:").contains("ES256")));
    String notAKey = "not-a-pem-key-but-a-secret-all-the-same";
    assertThatThrownBy(() -> GatewayConfig.load(write("session:\n  signing-key-id: 'bad id'\n"),
        withCertificate(Map.of("GATEWAY_SESSION__SIGNING_KEY", notAKey))::get))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).isNotEmpty()
            .allSatisfy(p -> assertThat(p).startsWith("session").doesNotContain(notAKey)));
    Path pem = dir.resolve("signing.pem");
    com.timereg.gateway.RunningGateway.writeSigningKey(pem);
    assertThat(GatewayConfig.load(write("session:\n  signing-key: file:" + pem + "\n"), withCertificate(Map.of())::get)
        .session().keys().signingKey()).isNotNull();
  }

  /**
   * Fail closed: without tls.cert-file the gateway made itself a self-signed certificate for localhost and served
   * production traffic with it (clients told to accept it accept any attacker's as well). Outside --dev that is a
   * configuration problem, reported with the rest (exit status 2); dev mode keeps its local certificate.
   */
  @Test
  void productionRequiresACertificateDevModeDoesNot() throws Exception {
    Path f = write("session:\n  signing-key: " + signingKey() + "\n");
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.<String, String>of()::get))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems())
            .singleElement().satisfies(p -> assertThat(p).startsWith("tls.cert-file:").contains("--dev")));
    assertThat(GatewayConfig.load(f, withCertificate(Map.of())::get).tls().selfSigned()).isFalse();
    assertThat(GatewayConfig.load(f, Map.<String, String>of()::get, true).tls().selfSigned()).isTrue();
  }

  @Test
  void devModeVerificationKeysWithoutASigningKeyAreCheckedWithTheRest() throws Exception {
    // Dev mode generates its signing key at start; verification keys it was given are still read now, so a bad
    // one is a configuration problem (exit status 2), not a start that fails once the database is up.
    Path pem = dir.resolve("old.pem");
    Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n");
    assertThatThrownBy(() -> GatewayConfig.load(write("session:\n  verification-keys: [\"old=file:" + pem + "\"]\n"),
        Map.<String, String>of()::get, true))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems())
            .anySatisfy(p -> assertThat(p).startsWith("session").contains("verification key 'old'"))
            .anySatisfy(p -> assertThat(p).contains("no signing key")));
  }

  @Test
  void aKeyOrSectionWrittenTwiceIsAProblemNotTheFirstOneSilentlyDropped() throws IOException {
    // YAML readers keep the last of two equal keys: the allowed hosts above would be gone without a word.
    Path twice = write(String.join("\n", "public:", "  allowed-hosts: [time.example.com]", "database:",
        "  host: db.example.com", "public:", "  port: 443", ""));
    assertThatThrownBy(() -> GatewayConfig.load(twice, Map.<String, String>of()::get, true))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement()
            .satisfies(p -> assertThat(p).contains("'public' is written twice").contains("line 6")));
    Path keyTwice = write("admin:\n  port: 9090\n  port: 9191\n");
    assertThatThrownBy(() -> GatewayConfig.load(keyTwice, Map.<String, String>of()::get, true))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'port'");
  }

  @Test
  void anEnvironmentOverrideThatNamesNoKeyIsAProblemLikeAnUnknownKeyInTheFile() throws IOException {
    Path f = write("database:\n  password: env:GATEWAY_DB__PASSWORD\n");
    Map<String, String> env = Map.of(
        "GATEWAY_PUBLIC__ALLOWED_HOST", "time.example.com",   // typo: the allowed hosts would stay empty (any)
        "GATEWAY_PUBLIC__PORT", "9443",
        "GATEWAY_DB__PASSWORD", "pw",                          // named by a secret reference, not an override
        "GATEWAY_DATABASE_URL", "postgresql://u@h/db",         // dev mode's server, no double underscore
        "PATH", "/usr/bin");
    assertThatThrownBy(() -> GatewayConfig.load(f, env, true))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement()
            .satisfies(p -> assertThat(p).startsWith("GATEWAY_PUBLIC__ALLOWED_HOST:").doesNotContain("time.example.com")));
    Map<String, String> fixed = new java.util.HashMap<>(env);
    fixed.remove("GATEWAY_PUBLIC__ALLOWED_HOST");
    fixed.put("GATEWAY_PUBLIC__ALLOWED_HOSTS", "time.example.com");
    assertThat(GatewayConfig.load(f, fixed, true).publicListener().allowedHosts()).containsExactly("time.example.com");
  }
}
