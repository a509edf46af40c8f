package com.timereg.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.timereg.gateway.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * A configuration problem quotes the value it refuses only when the value has the shape of a mistaken setting (a
 * number with a unit, a plain lower-case word, a host or URL): a password or token pasted under the wrong key, or
 * into a non-secret key's override, must not reach the console or the log of the failed start. The problem still
 * names the key and says how long the value is.
 */
class ProblemValueEchoTest {
  private static final List<String> SECRETS = List.of("Xk9#mQ2$vL7pR4", "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
      "Pa55w0rd!", "AKIAIOSFODNN7EXAMPLE", "s3cr3t-T0ken", "hunter2Secret!", "Zq8vW3nB", "Tr0ub4dor&3");

  @TempDir Path dir;

  @Test
  void aSecretLookingValueUnderAWrongKeyIsNotPrintedByAFailedStartNeitherOnStderrNorInTheLog() throws Exception {
    Path config = Files.writeString(dir.resolve("gateway.yaml"), String.join("\n",
        "public:",
        "  port: 'Xk9#mQ2$vL7pR4'",
        "  idle-timeout: ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "  max-body-size: AKIAIOSFODNN7EXAMPLE",
        "  allowed-hosts: ['hunter2Secret!']",
        "hibp:",
        "  allow-without-set: 'Pa55w0rd!'",
        "throttle:",
        "  surge-exit-ratio: 'Tr0ub4dor&3'",
        "backend:",
        "  url: s3cr3t-T0ken",
        "session:",
        "  algorithm: Zq8vW3nB",
        ""));
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    log.start();
    root.addAppender(log);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream saved = System.err;
    int status;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      status = new CommandLine(new Main()).execute("--config", config.toString());
    } finally {
      System.setErr(saved);
      root.detachAppender(log);
    }
    String printed = err.toString(StandardCharsets.UTF_8);
    String logged;
    synchronized (log) {
      logged = log.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.joining("\n"));
    }
    assertThat(status).isEqualTo(Main.EXIT_CONFIG);
    for (String key : List.of("public.port", "public.idle-timeout", "public.max-body-size", "public.allowed-hosts",
        "hibp.allow-without-set", "throttle.surge-exit-ratio", "backend.url", "session.algorithm")) {
      assertThat(printed).as("the problem still names %s", key).contains(key + ": ");
    }
    assertThat(printed).contains("public.port: expected a whole number, got a value of 14 characters, not shown");
    for (String secret : SECRETS) {
      assertThat(printed).as("stderr").doesNotContain(secret);
      assertThat(logged).as("log").doesNotContain(secret);
    }
  }

  @Test
  void aSecretInTheOverrideOfANonSecretKeyIsNotInTheProblem() {
    Path f = dir.resolve("gateway.yaml");
    assertThatThrownBy(() -> GatewayConfig.load(Files.writeString(f, ""),
        Map.of("GATEWAY_ADMIN__PORT", "pg-S3cret!9", "GATEWAY_TLS__RELOAD_INTERVAL", "eyJhbGciOiJIUzI1NiJ9.e30.x"),
        true))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("admin.port: expected a whole number, got a value of 11 characters, not shown")
        .hasMessageContaining("tls.reload-interval: expected a duration")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("pg-S3cret!9").doesNotContain("eyJhbGciOiJIUzI1NiJ9"));
  }

  @Test
  void theMistakesOfAnOrdinarySettingAreStillShown() throws Exception {
    Path f = Files.writeString(dir.resolve("gateway.yaml"), String.join("\n",
        "public:",
        "  port: eighty",
        "  idle-timeout: 30 sec",
        "  max-body-size: 10 MB",
        "  allowed-hosts: ['https://time.example.com/']",
        "hibp:",
        "  allow-without-set: enabled",
        "throttle:",
        "  surge-exit-ratio: '1,5'",
        "backend:",
        "  url: ftp://user:pw@files.example.com/",
        ""));
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.of(), true))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("public.port: expected a whole number, got 'eighty'")
        .hasMessageContaining("public.idle-timeout: expected a duration like 500ms, 10s, 15m, 24h or 7d, got '30 sec'")
        .hasMessageContaining("got '10 MB'")
        .hasMessageContaining("is not a host name (no scheme, port or path; '.example.com' for the domain and its subdomains): 'https://time.example.com/'")
        .hasMessageContaining("hibp.allow-without-set: expected true or false, got 'enabled'")
        .hasMessageContaining("throttle.surge-exit-ratio: expected a number, got '1,5'")
        .hasMessageContaining("got 'ftp://...@files.example.com/'");
  }

  @Test
  void aSecretInTheNodeIdOrAnAddressRangeListIsNotInTheProblemWhileAMistakenRangeStillIs() throws Exception {
    Path f = Files.writeString(dir.resolve("gateway.yaml"), String.join("\n",
        "throttle:",
        "  node-id: 'Pa55w0rd!'",
        "  allowlist: ['Tr0ub4dor&3', '10.0.0.1/8']",
        "client-address:",
        "  trusted-proxies: ['deadbeefcafe0123']",
        ""));
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.of(), true))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("throttle.node-id: must be 1 to 63 letters")
        .hasMessageContaining("got a value of 9 characters, not shown")
        .hasMessageContaining("throttle.allowlist: an entry is not an IP address range (e.g. 10.0.0.0/8 or"
            + " 2001:db8::/32): a value of 11 characters, not shown")
        .hasMessageContaining("client-address.trusted-proxies: an entry is not an IP address range")
        .hasMessageContaining("'10.0.0.1/8' has bits set after the /8 prefix; did you mean 10.0.0.0/8?")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Pa55w0rd!").doesNotContain("Tr0ub4dor&3")
            .doesNotContain("deadbeefcafe0123"));
  }
}
