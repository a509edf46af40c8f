package com.timereg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The shipped logback.xml (not the tests' own): its plain lines carry text a client chose (a path's first segment,
 * a login hint), which Netty reads byte for byte as ISO-8859-1. A raw 0x85 there is NEL, a line break to
 * Unicode-aware log viewers, and 0x9B is CSI, an 8-bit terminal's ESC [. No line may carry such a control character
 * or a Unicode line separator, whatever logged it; line breaks of a message itself and stack traces stay.
 */
class ShippedLogPatternTest {

  @Test
  void c1ControlsAndUnicodeLineBreaksInAMessageAreReplaced() {
    String out = logWithShippedConfig(log -> log.warn("proxy to backend failed for /{}", "x\u0085ERROR forged\u009b2J\u2028y\u2029z\u001bE"));

    assertThat(out).contains("proxy to backend failed for /x?ERROR forged?2J?y?z?E");
    assertThat(out.chars().filter(c -> c == '\n').count()).as("one line").isEqualTo(1);
    assertThat(out).doesNotContain("\u0085", "\u009b", "\u2028", "\u2029", "\u001b");
  }

  @Test
  void anExceptionsMessageIsCleanedAndItsStackTraceKept() {
    String out = logWithShippedConfig(log -> log.error("unhandled failure", new IllegalStateException("bad \u009b31m input")));

    assertThat(out).contains("unhandled failure", "java.lang.IllegalStateException: bad ?31m input",
        "\tat " + ShippedLogPatternTest.class.getName());
    assertThat(out).doesNotContain("\u009b");
  }

  @Test
  void aMessagesOwnLineBreaksAndTabsStay() {
    String out = logWithShippedConfig(log -> log.error("PostgreSQL did not start\n--- server.log ---\n\tFATAL: x"));

    assertThat(out).contains("PostgreSQL did not start\n--- server.log ---\n\tFATAL: x\n");
  }

  private static String logWithShippedConfig(Consumer<Logger> logging) {
    URL shipped = ShippedLogPatternTest.class.getClassLoader().getResource("logback.xml");
    assertThat(shipped).as("the main resources' logback.xml").isNotNull();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(shipped);
      assertThat(context.getStatusManager().getCopyOfStatusList()).noneMatch(s -> s.getLevel() >= 2);
      // The shipped appender, its encoder and layout as configured; only its stream is ours.
      var appender = (OutputStreamAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
      appender.setOutputStream(bytes);
      logging.accept(context.getLogger("com.timereg.gateway.proxy.ProxyHandler"));
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      context.stop();
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
