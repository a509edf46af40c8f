package com.timereg.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

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
}
