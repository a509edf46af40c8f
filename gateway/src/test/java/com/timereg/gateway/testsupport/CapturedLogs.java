package com.timereg.gateway.testsupport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Every log line, at DEBUG, from opening until {@link #close}, which restores the levels: for tests that
 * assert that no password, token or estimate reaches a log.
 */
public final class CapturedLogs implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Logger ours = (Logger) LoggerFactory.getLogger("com.timereg");
  private final Level rootLevel = root.getLevel();
  private final Level ourLevel = ours.getLevel();
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();

  private CapturedLogs() {
    captured.start();
    root.addAppender(captured);
    root.setLevel(Level.DEBUG);
    ours.setLevel(Level.DEBUG);
  }

  public static CapturedLogs atDebug() {
    return new CapturedLogs();
  }

  /** The lines so far: each message with its stack trace, if it has one. */
  public List<String> lines() {
    synchronized (captured) {
      return captured.list.stream().map(e -> e.getFormattedMessage()
          + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()))).toList();
    }
  }

  @Override
  public void close() {
    root.detachAppender(captured);
    root.setLevel(rootLevel);
    ours.setLevel(ourLevel);
  }
}
