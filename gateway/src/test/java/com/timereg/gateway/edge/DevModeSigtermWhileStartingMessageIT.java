package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Ctrl-C during {@code bin/gateway --dev}'s start, once its local PostgreSQL runs: the server is stopped by the
 * signal, the start then fails at its next step (creating the role, the migrations), and that failure is no
 * reason to give the operator, who asked for the stop: "gateway failed to start: The connection attempt failed"
 * sent them looking for a database problem that was not there.
 */
class DevModeSigtermWhileStartingMessageIT {

  @Test
  void aSigtermWhileStartingIsReportedAsAStopNotAsAFailedStart() throws Exception {
    Path data = DevGatewaySignal.dataDir("devmode-sigterm");
    Path pgdata = data.resolve("postgres").resolve("pgdata");
    try {
      DevGatewaySignal.Outcome run = DevGatewaySignal.sigtermAt(data, "LocalPostgres - Local PostgreSQL (");

      assertThat(run.ended()).as("bin/gateway --dev ends after SIGTERM").isTrue();
      assertThat(run.signalled()).as("SIGTERM sent once the local PostgreSQL ran; log:\n%s", run.log()).isTrue();
      assertThat(run.log()).as("log").doesNotContain("gateway failed to start").doesNotContain("ERROR");
    } finally {
      PostgresProcesses.stopLeftover(pgdata);
      PostgresExtension.deleteTree(data);
    }
  }
}
