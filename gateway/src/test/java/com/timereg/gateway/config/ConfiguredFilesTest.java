package com.timereg.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.timereg.gateway.tls.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Every file the gateway reads at start (certificates, keys, CA files, word lists) named as a directory or a FIFO
 * is a configuration problem naming the key and the file, found with the rest (exit status 2): both pass
 * {@code Files.isReadable}, and opening a FIFO to read blocks until some writer comes along.
 */
class ConfiguredFilesTest {
  @TempDir Path dir;
  private SelfSignedCertificate tls;
  private SelfSignedCertificate other;
  private Path signingKey;
  private Path directory;
  private Path fifo;

  @BeforeEach
  void files() throws Exception {
    tls = SelfSignedCertificate.loadOrCreate(dir.resolve("tls"), Clock.systemUTC());
    other = SelfSignedCertificate.loadOrCreate(dir.resolve("other"), Clock.systemUTC());
    signingKey = com.timereg.gateway.RunningGateway.writeSigningKey(dir.resolve("session.pem"));
    Files.setPosixFilePermissions(signingKey, PosixFilePermissions.fromString("rw-------"));
    directory = Files.createDirectory(dir.resolve("a-directory"));
    fifo = dir.resolve("a-fifo");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
  }

  /** A configuration in which {@code key} and the keys it needs name good files. */
  private Map<String, String> env(String key) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of(
        "GATEWAY_TLS__CERT_FILE", tls.certFile().toString(),
        "GATEWAY_TLS__KEY_FILE", tls.keyFile().toString(),
        "GATEWAY_SESSION__SIGNING_KEY", "file:" + signingKey,
        "GATEWAY_DATA_DIR", dir.resolve("data").toString()));
    if (key.startsWith("admin.tls.")) {
      env.put("GATEWAY_ADMIN__TLS__CERT_FILE", other.certFile().toString());
      env.put("GATEWAY_ADMIN__TLS__KEY_FILE", other.keyFile().toString());
      env.put("GATEWAY_ADMIN__TLS__CLIENT_CA_FILE", other.certFile().toString());
    } else if (key.startsWith("backend.")) {
      env.put("GATEWAY_BACKEND__URL", "https://127.0.0.1:8000");
      env.put("GATEWAY_BACKEND__TRUST_FILE", other.certFile().toString());
      env.put("GATEWAY_BACKEND__CLIENT_CERT_FILE", other.certFile().toString());
      env.put("GATEWAY_BACKEND__CLIENT_KEY_FILE", other.keyFile().toString());
    } else if (key.equals("database.ssl-root-cert")) {
      env.put("GATEWAY_DATABASE__SSL_MODE", "verify-full");
      env.put("GATEWAY_DATABASE__SSL_ROOT_CERT", other.certFile().toString());
    } else if (key.equals("password.extra-dictionaries")) {
      Path words = Files.writeString(dir.resolve("words.txt"), "fjord\n");
      env.put("GATEWAY_PASSWORD__EXTRA_DICTIONARIES", words.toString());
    }
    return env;
  }

  private GatewayConfig load(Map<String, String> env) throws Exception {
    Path f = dir.resolve("gateway.yaml");
    Files.writeString(f, "");
    // Bounded: a FIFO opened to read blocks until a writer comes, and must fail this test rather than hang it.
    return assertTimeoutPreemptively(Duration.ofSeconds(5), () -> GatewayConfig.load(f, env::get, false));
  }

  private static final List<String> FILE_KEYS = List.of(
      "tls.cert-file", "tls.key-file",
      "admin.tls.cert-file", "admin.tls.key-file", "admin.tls.client-ca-file",
      "backend.trust-file", "backend.client-cert-file", "backend.client-key-file",
      "database.ssl-root-cert", "password.extra-dictionaries");

  @Test
  void aDirectoryOrAFifoWhereAFileIsReadIsAConfigurationProblemNamingTheKeyAndTheFile() throws Exception {
    org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
    for (String key : FILE_KEYS) {
      assertThat(load(env(key))).as("%s with good files", key).isNotNull();
      for (Path wrong : List.of(directory, fifo)) {
        Map<String, String> env = env(key);
        env.put(ConfigReader.envName(key), wrong.toString());
        soft.assertThatThrownBy(() -> load(env)).as("%s = %s", key, wrong).isInstanceOf(ConfigException.class)
            .hasMessageContaining(key + ": cannot read " + wrong);
      }
    }
    soft.assertAll();
  }

  @Test
  void aBackendClientKeyFileIsCheckedLikeTheOtherKeyFiles() throws Exception {
    Path key = other.keyFile();
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-rw-rw-"));
    assertThatThrownBy(() -> load(env("backend.client-key-file"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("backend.client-key-file").hasMessageContaining(key.toString())
        .hasMessageContaining("0666").hasMessageContaining("writable by group or others");

    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    Logger logger = (Logger) LoggerFactory.getLogger(ConfigReader.class);
    appender.start();
    logger.addAppender(appender);
    try {
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
      assertThat(load(env("backend.client-key-file"))).isNotNull();
      assertThat(appender.list).filteredOn(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
          .anySatisfy(m -> assertThat(m).contains("backend.client-key-file").contains(key.toString()).contains("0644"));
    } finally {
      logger.detachAppender(appender);
    }
  }
}
