package com.timereg.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.timereg.gateway.testsupport.Await;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Certificate files that cannot be read (deleted during a renewal, a volume not mounted) keep the certificate
 * in use; the operator is told once per spell, and when the files are back, not on every tick of the reload
 * interval (a WARN line every tick for as long as the files are gone buried everything else in the log).
 */
class CertificateReloaderTest {
  @TempDir Path dir;
  private Vertx vertx;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(CertificateReloader.class);

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void stop() {
    logger.detachAppender(appender);
    Await.await(vertx.close());
  }

  @Test
  void unreadableFilesAreReportedOncePerSpellAndTheirReturnToo() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "certificate");
    Path key = Files.writeString(dir.resolve("key.pem"), "key");
    CertificateReloader reloader = new CertificateReloader(vertx, cert, key, null);
    reloader.readNow();

    Files.delete(cert);
    for (int tick = 0; tick < 5; tick++) {
      assertThat(Await.await(reloader.checkOnce())).as("nothing applied").isFalse();
    }
    assertThat(warnings()).hasSize(1).allSatisfy(m -> assertThat(m).contains("unreadable"));

    Files.writeString(cert, "certificate");
    assertThat(Await.await(reloader.checkOnce())).isFalse();
    assertThat(Await.await(reloader.checkOnce())).isFalse();
    assertThat(infos()).filteredOn(m -> m.contains("readable again")).hasSize(1);

    Files.delete(key);
    assertThat(Await.await(reloader.checkOnce())).isFalse();
    assertThat(Await.await(reloader.checkOnce())).isFalse();
    assertThat(warnings()).as("a second spell is reported again").hasSize(2);
  }

  private List<String> warnings() {
    return messages(Level.WARN);
  }

  private List<String> infos() {
    return messages(Level.INFO);
  }

  private List<String> messages(Level level) {
    synchronized (appender) {
      return appender.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }
  }
}
