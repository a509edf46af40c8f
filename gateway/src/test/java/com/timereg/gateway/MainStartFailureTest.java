package com.timereg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * What an operator sees when the gateway cannot start (README: "exits ... with 1 when it cannot start, for
 * example PostgreSQL unreachable at start"): one line that says why, not a stack trace of Flyway's and the
 * JDBC driver's internals; and, before it, which configuration file the process read.
 */
class MainStartFailureTest {
  @TempDir Path dir;

  @Test
  void anUnreachableDatabaseIsOneErrorLineAndExitStatusOneWithoutAStackTrace() throws Exception {
    int closedPort = closedPort();
    Run run = startWith(closedPort);

    assertThat(run.status()).isEqualTo(1);
    List<ILoggingEvent> errors = run.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
    assertThat(errors).hasSize(1);
    ILoggingEvent error = errors.get(0);
    assertThat(error.getThrowableProxy()).as("stack trace at INFO and above").isNull();
    assertThat(error.getFormattedMessage())
        .startsWith("gateway failed to start: ")
        .contains("127.0.0.1:" + closedPort)
        .doesNotContain("\n")
        .doesNotContain("SQL State");
  }

  /** Which file the process read, not only the effective values: the first thing to check when a setting seems ignored. */
  @Test
  void theStartLogNamesTheConfigurationFile() throws Exception {
    Run run = startWith(closedPort());

    assertThat(run.events()).filteredOn(e -> e.getLevel() == Level.INFO)
        .anyMatch(e -> e.getFormattedMessage().contains(run.config().toString()));
  }

  private record Run(int status, Path config, List<ILoggingEvent> events) {}

  private Run startWith(int databasePort) throws Exception {
    Path key = RunningGateway.writeSigningKey(dir.resolve("signing.pem"));
    Path config = dir.resolve("gateway.yaml");
    var cert = com.timereg.gateway.tls.SelfSignedCertificate.loadOrCreate(dir.resolve("tls"), java.time.Clock.systemUTC());
    Files.writeString(config, String.join("\n",
        "data-dir: " + dir.resolve("data"),
        "tls:",
        "  cert-file: " + cert.certFile(),
        "  key-file: " + cert.keyFile(),
        "public:",
        "  port: 0",
        "admin:",
        "  port: 0",
        "database:",
        "  host: 127.0.0.1",
        "  port: " + databasePort,
        "  connect-timeout: 2s",
        "session:",
        "  signing-key: file:" + key,
        ""));
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    root.addAppender(captured);
    try {
      int status = new CommandLine(new Main()).execute("--config", config.toString());
      synchronized (captured) {
        return new Run(status, config, List.copyOf(captured.list));
      }
    } finally {
      root.detachAppender(captured);
    }
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
