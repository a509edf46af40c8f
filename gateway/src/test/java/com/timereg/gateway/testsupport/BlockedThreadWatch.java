package com.timereg.gateway.testsupport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test class when Vert.x's blocked-thread checker warns while it runs: a blocked event loop is
 * a bug even when every response still arrives. {@code @ExtendWith(BlockedThreadWatch.class)}.
 *
 * <p>The checker reports about a second after the fact, so a warning may surface after the test that
 * caused it; it is checked after each test and once more after the class.
 */
public final class BlockedThreadWatch implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
  /** Vert.x 5's BlockedThreadChecker.LOGGER_NAME; Vert.x logs through SLF4J when it is present. */
  public static final String CHECKER_LOGGER = "io.vertx.core.impl.BlockedThreadChecker";

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(BlockedThreadWatch.class);

  /** On a test class that blocks an event loop on purpose (the watch's own test): not watched. */
  @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
  @java.lang.annotation.Target(java.lang.annotation.ElementType.TYPE)
  public @interface BlocksOnPurpose {}

  @Override
  public void beforeAll(ExtensionContext context) {
    if (context.getRequiredTestClass().isAnnotationPresent(BlocksOnPurpose.class)) {
      return;
    }
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.setName("blocked-thread-watch");
    appender.start();
    Logger logger = checkerLogger();
    logger.addAppender(appender);
    context.getStore(NAMESPACE).put(ListAppender.class, appender);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    check(context);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    @SuppressWarnings("unchecked")
    ListAppender<ILoggingEvent> appender = context.getStore(NAMESPACE).remove(ListAppender.class, ListAppender.class);
    if (appender != null) {
      try {
        check(appender);
      } finally {
        checkerLogger().detachAppender(appender);
        appender.stop();
      }
    }
  }

  private static void check(ExtensionContext context) {
    // The class-level store: the test's own context inherits it from its parent.
    ListAppender<?> appender = context.getStore(NAMESPACE).get(ListAppender.class, ListAppender.class);
    if (appender != null) {
      check(appender);
    }
  }

  @SuppressWarnings("unchecked")
  private static void check(ListAppender<?> raw) {
    ListAppender<ILoggingEvent> appender = (ListAppender<ILoggingEvent>) raw;
    List<String> warnings = new ArrayList<>();
    // AppenderBase.doAppend holds the appender's own lock while it adds to the list.
    synchronized (appender) {
      for (ILoggingEvent e : appender.list) {
        if (e.getLevel().isGreaterOrEqual(Level.WARN)) {
          warnings.add(e.getFormattedMessage());
        }
      }
      appender.list.clear();
    }
    if (!warnings.isEmpty()) {
      throw new AssertionError("Vert.x blocked-thread checker warned: " + warnings);
    }
  }

  private static Logger checkerLogger() {
    return (Logger) LoggerFactory.getLogger(CHECKER_LOGGER);
  }
}
