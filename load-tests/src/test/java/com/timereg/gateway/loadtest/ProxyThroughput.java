package com.timereg.gateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.listFeeder;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Authenticated GETs through the gateway as fast as it answers them: a closed model of
 * {@code concurrency} (default 16) virtual users, each logging in once and then sending the next
 * request as soon as the previous one is answered, for {@code duration} (default 60s). The
 * throughput in the report is what the gateway sustains at that concurrency; raise it until
 * throughput stops growing and latency starts to.
 *
 * <p>Parameters: {@code path} (default {@code /api/timesheets}; {@code /api/blob?size=N} for a
 * given response size), {@code sources}, {@code maxFailedPct} (0.1), {@code p99Ms} (500) and
 * {@code minRps} (0: not asserted), plus those of {@link Target} and {@link Credentials}.
 * Access tokens are refreshed shortly before they expire, so long runs stay authenticated.
 */
public class ProxyThroughput extends Simulation {
  private final Target target = Target.fromSystemProperties();
  private final ClientPool pool = ClientPool.fromSources();
  private final int concurrency = Params.integer("concurrency", 16, 1);
  private final Duration duration = Params.duration("duration", Duration.ofSeconds(60), true);
  private final String path = Params.string("path", "/api/timesheets");
  private final double maxFailedPct = Params.percent("maxFailedPct", 0.1);
  private final int p99Ms = Params.integer("p99Ms", 500, 1);
  private final double minRps = Params.decimal("minRps", 0);

  private final ScenarioBuilder users = scenario("authenticated GETs")
      .exec(feed(listFeeder(Credentials.load()).circular()))
      .exec(pool.assign())
      .exec(Journeys.tokenLogin("login"))
      .exitHereIfFailed()
      .forever().on(
          exec(Journeys.refreshWhenDue()),
          exec(http("proxied GET").get(path)
              .header("Authorization", "Bearer #{" + Journeys.ACCESS + "}")
              .check(status().is(200))));

  {
    Params.refuseMisspelt();
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("-Dpath must start with /, was " + path);
    }
    List<Assertion> assertions = new ArrayList<>(List.of(
        global().failedRequests().percent().lte(maxFailedPct),
        details("proxied GET").responseTime().percentile(99.0).lt(p99Ms)));
    if (minRps > 0) {
      assertions.add(details("proxied GET").requestsPerSec().gte(minRps));
    }
    setUp(users.injectClosed(constantConcurrentUsers(concurrency).during(duration)))
        .protocols(target.protocol(pool))
        // The users loop forever; the run ends here.
        .maxDuration(duration)
        .assertions(assertions);
  }
}
