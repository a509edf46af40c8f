package com.timereg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Main's shutdown hook in a real child JVM ended by SIGTERM, while the main thread waits for the stop as
 * {@link Main#call()} does, and the stop throws an Error: a class missing because the jar was replaced under the
 * running process during an upgrade, an OutOfMemoryError.
 */
class MainShutdownHookTest {

  @Test
  void anErrorWhileStoppingIsOneLogLineAndTheProcessStillExitsOnSigterm() throws Exception {
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ErrorWhileStopping.class.getName())
        .redirectErrorStream(true).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      do {
        line = out.readLine();
      } while (line != null && !line.equals(ErrorWhileStopping.RUNNING));
      assertThat(line).as("the child's main running").isNotNull();
      child.toHandle().destroy(); // SIGTERM; Process.destroy would also close the streams read here

      // Bounded: the claim under test was that the JVM would hang in its shutdown.
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
      String rest = out.lines().collect(Collectors.joining("\n"));
      assertThat(child.exitValue()).isEqualTo(143);
      assertThat(rest)
          .contains("error while stopping: java.lang.NoClassDefFoundError: com/timereg/gateway/Replaced")
          .doesNotContain("Exception in thread")
          .doesNotContain("\tat ");
    } finally {
      child.destroyForcibly();
    }
  }

  /** The child: Main's hook with a stop that throws an Error, the main thread waiting as Main's does. */
  static final class ErrorWhileStopping {
    static final String RUNNING = "running";

    public static void main(String[] args) throws Exception {
      CountDownLatch startDone = new CountDownLatch(1);
      CountDownLatch stopped = new CountDownLatch(1);
      AtomicReference<AutoCloseable> started = new AtomicReference<>(() -> {
        throw new NoClassDefFoundError("com/timereg/gateway/Replaced");
      });
      Runtime.getRuntime().addShutdownHook(Main.shutdownHook(startDone, started, stopped));
      startDone.countDown();
      System.out.println(RUNNING);
      System.out.flush();
      stopped.await();
    }
  }
}
