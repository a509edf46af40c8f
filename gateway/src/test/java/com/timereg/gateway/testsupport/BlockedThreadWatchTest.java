package com.timereg.gateway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The watch is only as good as its premise: Vert.x's warning arrives on the logger it listens to. */
@BlockedThreadWatch.BlocksOnPurpose
class BlockedThreadWatchTest {

  @Test
  void blockedEventLoopWarningReachesTheWatchedLogger() throws Exception {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Logger logger = (Logger) LoggerFactory.getLogger(BlockedThreadWatch.CHECKER_LOGGER);
    logger.addAppender(appender);
    Vertx vertx = Vertx.vertx(new VertxOptions().setMaxEventLoopExecuteTime(50).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(20).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS));
    try {
      Promise<Void> done = Promise.promise();
      vertx.runOnContext(v -> {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(400);
        while (System.nanoTime() < until) {
          Thread.onSpinWait(); // deliberately hogging the event loop
        }
        done.complete();
      });
      Await.await(done.future());
      synchronized (appender) {
        assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
            .anySatisfy(m -> assertThat(m).contains("has been blocked for"));
      }
    } finally {
      logger.detachAppender(appender);
      Await.await(vertx.close());
    }
  }
}
