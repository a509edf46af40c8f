package com.timereg.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * An override written with one underscore between section and key (GATEWAY_PUBLIC_PORT for public.port) overrides
 * nothing. Not refused, since other GATEWAY_ variables are set on purpose (GATEWAY_DATABASE_URL, GATEWAY_ADMIN_TOKEN,
 * GATEWAY_LOG_LEVEL) and Kubernetes sets GATEWAY_PUBLIC_PORT itself for a service named gateway-public; but one that
 * is a key's override but for its double underscores is warned about, naming the variable meant and never the value.
 */
class OverrideNearMissTest {
  @TempDir Path dir;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(ConfigReader.class);

  @BeforeEach
  void attach() {
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(appender);
  }

  private List<String> warnings() {
    synchronized (appender) {
      return appender.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
          .toList();
    }
  }

  @Test
  void anOverrideWithASingleUnderscoreBetweenSectionAndKeyIsWarnedAboutNamingTheOneMeant() throws Exception {
    Path f = Files.writeString(dir.resolve("gateway.yaml"), "");
    Map<String, String> env = Map.of(
        "GATEWAY_PUBLIC_PORT", "9443",
        "GATEWAY_DATABASE_PASSWORD", "pg-s3cret",
        "GATEWAY_THROTTLE__IP_FAILURE_LIMIT", "7");
    GatewayConfig config = GatewayConfig.load(f, env, true);
    assertThat(config.publicListener().port()).as("not applied").isEqualTo(8443);
    assertThat(warnings()).hasSize(2)
        .anySatisfy(m -> assertThat(m).contains("GATEWAY_PUBLIC_PORT").contains("GATEWAY_PUBLIC__PORT")
            .contains("public.port").doesNotContain("9443"))
        .anySatisfy(m -> assertThat(m).contains("GATEWAY_DATABASE_PASSWORD").contains("GATEWAY_DATABASE__PASSWORD")
            .doesNotContain("pg-s3cret"));
  }

  @Test
  void theGatewayVariablesTheScriptsAndToolsSetOnPurposeAreNotWarnedAbout() throws Exception {
    Path f = Files.writeString(dir.resolve("gateway.yaml"), "");
    Map<String, String> env = Map.of(
        "GATEWAY_DATA_DIR", dir.resolve("data").toString(),   // a top-level key: one underscore is its override
        "GATEWAY_DATABASE_URL", "postgresql://u@h/db",        // dev mode's database
        "GATEWAY_ADMIN_TOKEN", "t",                            // the admin command's token
        "GATEWAY_LOG_LEVEL", "DEBUG",                          // logback.xml
        "GATEWAY_PORT", "tcp://10.0.0.1:443",                  // Kubernetes, for a service named gateway
        "GATEWAY_SERVICE_HOST", "10.0.0.1");
    assertThat(GatewayConfig.load(f, env, true).dataDir()).isEqualTo(dir.resolve("data"));
    assertThat(warnings()).isEmpty();
  }

  @Test
  void aMisspeltOverrideWithADoubleUnderscoreIsRefusedNamingTheNearestKey() throws Exception {
    Path f = Files.writeString(dir.resolve("gateway.yaml"), "");
    assertThatThrownBy(() -> GatewayConfig.load(f, Map.of("GATEWAY_THROTTLE__IP_FAILURE_LIMT", "3"), true))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("GATEWAY_THROTTLE__IP_FAILURE_LIMT: overrides no configuration key")
        .hasMessageContaining("throttle.ip-failure-limit is GATEWAY_THROTTLE__IP_FAILURE_LIMIT");
  }

  @Test
  void anOverrideInTheWrongLetterCaseIsRefusedNotIgnored() throws Exception {
    Path f = Files.writeString(dir.resolve("gateway.yaml"), "");
    for (String name : List.of("gateway_public__allowed_hosts", "Gateway_Public__Allowed_Hosts")) {
      assertThatThrownBy(() -> GatewayConfig.load(f, Map.of(name, "time.example.com"), true))
          .as(name)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(name + ": overrides no configuration key")
          .hasMessageContaining("case-sensitive")
          .hasMessageContaining("public.allowed-hosts is GATEWAY_PUBLIC__ALLOWED_HOSTS")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("time.example.com"));
    }
  }

  @Test
  void aSingleUnderscoreOverrideWithATypoOrInLowerCaseIsWarnedAboutNamingTheOneMeant() throws Exception {
    Path f = Files.writeString(dir.resolve("gateway.yaml"), "");
    Map<String, String> env = Map.of(
        "GATEWAY_THROTTLE_IP_FAILURE_LIMT", "3",
        "GATEWAY_PUBLIC_PROT", "9443",
        "gateway_public_port", "9443");
    GatewayConfig config = GatewayConfig.load(f, env, true);
    assertThat(config.publicListener().port()).as("not applied").isEqualTo(8443);
    assertThat(warnings()).hasSize(3)
        .anySatisfy(m -> assertThat(m).startsWith("GATEWAY_THROTTLE_IP_FAILURE_LIMT is ignored")
            .contains("GATEWAY_THROTTLE__IP_FAILURE_LIMIT").doesNotContain(" 3"))
        .anySatisfy(m -> assertThat(m).startsWith("GATEWAY_PUBLIC_PROT is ignored").contains("GATEWAY_PUBLIC__PORT")
            .doesNotContain("9443"))
        .anySatisfy(m -> assertThat(m).startsWith("gateway_public_port is ignored").contains("GATEWAY_PUBLIC__PORT"));
  }

  @Test
  void kubernetesServiceLinksForServicesNamedGatewaySomethingAreNotTakenForTypos() throws Exception {
    Path f = Files.writeString(dir.resolve("gateway.yaml"), "");
    Map<String, String> env = Map.of(
        "GATEWAY_ADMIN_SERVICE_HOST", "10.0.0.2",
        "GATEWAY_ADMIN_SERVICE_PORT", "9443",
        "GATEWAY_ADMIN_SERVICE_PORT_HTTPS", "9443",
        "GATEWAY_ADMIN_PORT_9443_TCP", "tcp://10.0.0.2:9443",
        "GATEWAY_ADMIN_PORT_9443_TCP_ADDR", "10.0.0.2",
        "GATEWAY_PUBLIC_PORT_8443_TCP_PORT", "8443",
        "GATEWAY_PUBLIC_PORT_8443_TCP_PROTO", "tcp");
    GatewayConfig.load(f, env, true);
    assertThat(warnings()).isEmpty();
  }
}
