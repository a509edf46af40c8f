package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import com.timereg.gateway.testsupport.CapturedLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each step of a stop runs whatever the one before it threw: an Error (OutOfMemoryError, StackOverflowError, a
 * LinkageError from a jar replaced under the process) in one part's stop used to skip the rest, leaving the throttle
 * maps unclosed (recovered at the next start) with their lock held, Vert.x running and the other parts open.
 */
@ExtendWith(PostgresExtension.class)
class StopStepsTest {
  @TempDir Path dir;

  @Test
  void anErrorWhileStoppingOnePartSkipsNoOtherStepAndIsReported(TestDatabase db) throws Exception {
    Gateway g = Gateway.start(TestGateways.config(dir, db, Map.of()));
    AtomicBoolean earlierPartStopped = new AtomicBoolean();
    g.closeAtStop("the earlier part", () -> earlierPartStopped.set(true));
    StackOverflowError thrown = new StackOverflowError("thrown by a part as it stopped");
    // Added last, so stopped first: every other part, Vert.x and the throttle maps come after it.
    g.closeAtStop("the failing part", () -> {
      throw thrown;
    });

    try (CapturedLogs logs = CapturedLogs.atDebug()) {
      assertThatThrownBy(g::stop).as("the Error reported once every step has run").isSameAs(thrown);
      assertThat(logs.lines()).as("the failing part named in the stop's log")
          .anyMatch(l -> l.contains("error while stopping the failing part: java.lang.StackOverflowError"))
          .anyMatch(l -> l.contains("stopped, every step run; 1 failed: stopping the failing part"));
    }

    assertThat(earlierPartStopped).as("the part stopped after the failing one").isTrue();
    assertThat(dir.resolve("data").resolve(AdminListenerUrl.FILE_NAME)).doesNotExist();
    // Vert.x closed and the throttle maps closed, their lock released: a new start on the same data directory
    // (as a restart in the same JVM) takes them.
    Gateway again = Gateway.start(TestGateways.config(dir, db, Map.of()));
    try {
      assertThat(again.adminPort()).isPositive();
    } finally {
      again.stop();
    }
  }
}
