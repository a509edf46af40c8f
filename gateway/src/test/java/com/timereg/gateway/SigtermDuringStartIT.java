package com.timereg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while the gateway is still starting (an orchestrator giving up on a slow start, a rollout rolled
 * back): the start is let finish and then stopped as any other, so the throttle maps are closed cleanly
 * rather than left to be recovered at the next start.
 */
@ExtendWith(PostgresExtension.class)
class SigtermDuringStartIT {
  @TempDir Path dir;

  @Test
  void aSigtermWhileStartingStopsTheGatewayAndClosesTheThrottleMapsCleanly(TestDatabase db) throws Exception {
    Map<String, String> env = RunningGateway.environment(dir.resolve("data"), db.settings(),
        RunningGateway.writeSigningKey(dir.resolve("signing.pem")));
    try (RunningGateway node = RunningGateway.launch(dir, env)) {
      // The maps are open by then (they are opened before block sync starts); the listeners are not up yet.
      node.awaitLine("loaded the shared block state", 120);
      assertThat(node.stop()).isEqualTo(RunningGateway.EXIT_AFTER_SIGTERM);
      assertThat(markers()).as("both maps closed cleanly").hasSize(2);
    }
  }

  private List<Path> markers() throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve("data").resolve("throttle"))) {
      return files.filter(p -> p.toString().endsWith(".clean")).toList();
    }
  }
}
