package com.timereg.gateway.testsupport;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test class during which Vert.x's blocked-thread checker warned: an event loop held for
 * seconds is a bug (PBKDF2, file or JDBC work on the wrong thread), not noise. Registered for every
 * test class through the service loader (see junit-platform.properties).
 */
public final class BlockedThreadWatch implements BeforeAllCallback, AfterAllCallback {
  private static final String CHECKER = "io.vertx.core.impl.BlockedThreadChecker";
  private static final List<String> WARNINGS = new CopyOnWriteArrayList<>();
  private static volatile boolean installed;

  private static synchronized void install() {
    if (installed) {
      return;
    }
    Logger checker = (Logger) LoggerFactory.getLogger(CHECKER);
    AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        if (message != null && message.contains("has been blocked")) {
          WARNINGS.add(message);
        }
      }
    };
    appender.setContext(checker.getLoggerContext());
    appender.start();
    checker.addAppender(appender);
    installed = true;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    install();
    WARNINGS.clear();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (!WARNINGS.isEmpty()) {
      String first = WARNINGS.get(0);
      int count = WARNINGS.size();
      WARNINGS.clear();
      throw new AssertionError("Vert.x blocked-thread checker warned " + count + " time(s) during "
          + context.getDisplayName() + ": " + first);
    }
  }
}
