package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.LocalPostgres;
import com.timereg.gateway.store.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/gateway --dev} stopped (SIGTERM, as Ctrl-C or a closed terminal does) while it is still starting its
 * local PostgreSQL: the server it starts must not outlive it. Here the start first stops the server an earlier,
 * killed run left behind (its warning is the moment to send the signal), then starts the server anew.
 */
class DevModeStopWhileStartingIT {

  @Test
  void aSigtermWhileTheLocalPostgresStartsLeavesNoPostgresRunning() throws Exception {
    Path data = DevGatewaySignal.dataDir("devmode-stop");
    Path pgdata = data.resolve("postgres").resolve("pgdata");
    try {
      // What `kill -9` of an earlier bin/gateway --dev leaves: its server running, its owner gone.
      LocalPostgres earlier = LocalPostgres.open(data.resolve("postgres"));
      earlier.leaveStoppingToOwner();
      Process gone = new ProcessBuilder("true").start();
      gone.waitFor();
      Files.writeString(data.resolve("postgres").resolve("owner.pid"), gone.pid() + "\n");

      DevGatewaySignal.Outcome run = DevGatewaySignal.sigtermAt(data, "from an earlier run still uses");

      assertThat(run.ended()).as("bin/gateway --dev ends after SIGTERM").isTrue();
      assertThat(run.signalled()).as("SIGTERM sent while the local PostgreSQL was starting; log:\n%s", run.log())
          .isTrue();
      assertThat(PostgresProcesses.of(pgdata)).as("no PostgreSQL of this data directory is left; log:\n%s", run.log())
          .isEmpty();
    } finally {
      PostgresProcesses.stopLeftover(pgdata);
      PostgresExtension.deleteTree(data);
    }
  }
}
