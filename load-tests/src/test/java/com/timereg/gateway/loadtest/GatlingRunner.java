package com.timereg.gateway.loadtest;

import io.gatling.app.Gatling$;
import io.gatling.javaapi.core.Simulation;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs one simulation in this JVM, as {@code mvn gatling:test} would in a forked one, with its
 * parameters as system properties for the duration of the run.
 */
final class GatlingRunner {
  /** Gatling's exit status when every assertion held (its {@code StatusCode.Success}). */
  static final int SUCCESS = 0;
  /** Gatling's exit status when the run completed but an assertion failed. */
  static final int ASSERTIONS_FAILED = 2;

  private GatlingRunner() {}

  /**
   * The latency limits the simulation reads, each at 60 s: a test checks that assertions are wired to requests
   * that exist and succeed, not how fast a shared machine is. Only its own: another simulation's stops the run.
   */
  static Map<String, String> relaxedLatencyLimits(Class<? extends Simulation> simulation) {
    String[] limits = simulation == LegitimateTraffic.class ? new String[] {"p99Ms", "loginP99Ms"}
        : simulation == PasswordChange.class ? new String[] {"checkP99Ms", "changeP99Ms"}
        : new String[] {"p99Ms"};
    Map<String, String> relaxed = new HashMap<>();
    for (String limit : limits) {
      relaxed.put(limit, "60000");
    }
    return relaxed;
  }

  /** @return Gatling's exit status; the HTML report is under {@code resultsFolder} */
  static synchronized int run(Class<? extends Simulation> simulation, Map<String, String> params, Path resultsFolder) {
    Map<String, String> previous = new HashMap<>();
    params.forEach((k, v) -> previous.put(k, System.setProperty(k, v)));
    try {
      return Gatling$.MODULE$.fromArgs(new String[] {
          "--simulation", simulation.getName(),
          "--results-folder", resultsFolder.toAbsolutePath().toString(),
          "--run-description", "smoke"});
    } finally {
      // A simulation refused in its set-up never reached Params.refuseMisspelt, which forgets its parameters.
      Params.forget();
      previous.forEach((k, v) -> {
        if (v == null) {
          System.clearProperty(k);
        } else {
          System.setProperty(k, v);
        }
      });
    }
  }
}
