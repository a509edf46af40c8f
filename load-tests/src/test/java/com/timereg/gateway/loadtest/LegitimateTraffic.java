package com.timereg.gateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.listFeeder;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Ordinary users, half in browsers and half in apps, arriving at a steady rate (open model).
 * A browser user opens the login page, posts the form, browses with its session cookies and
 * signs out. An app user gets tokens from {@code /auth/token}, calls the API with the bearer
 * token, refreshes the pair, calls again with the new token and signs out; its old token must be
 * refused right after.
 *
 * <p>Parameters (system properties) and defaults: {@code usersPerSec=2}, {@code rampUp=10s},
 * {@code duration=60s}, {@code pageViews=5}, {@code thinkTime=1s}, {@code sources} (client
 * address pool, empty: the generator's own address), {@code maxFailedPct=1},
 * {@code p99Ms=1000} (proxied pages), {@code loginP99Ms=5000}; and those of {@link Target},
 * {@link Pages}, {@link Credentials} and {@link ClientPool}.
 */
public class LegitimateTraffic extends Simulation {
  private final Target target = Target.fromSystemProperties();
  private final Pages pages = Pages.fromSystemProperties();
  private final ClientPool pool = ClientPool.fromSources();
  private final double usersPerSec = Params.decimal("usersPerSec", 2);
  private final Duration rampUp = Params.duration("rampUp", Duration.ofSeconds(10));
  private final Duration duration = Params.duration("duration", Duration.ofSeconds(60), true);
  private final int pageViews = Params.integer("pageViews", 5, 0);
  private final Duration thinkTime = Params.duration("thinkTime", Duration.ofSeconds(1));
  private final double maxFailedPct = Params.percent("maxFailedPct", 1);
  private final int p99Ms = Params.integer("p99Ms", 1000, 1);
  private final int loginP99Ms = Params.integer("loginP99Ms", 5000, 1);

  private final ScenarioBuilder browsers = scenario("browser users")
      .exec(feed(listFeeder(Credentials.load()).circular()))
      .exec(pool.assign())
      .exec(Journeys.formLogin("browser login"))
      .exitHereIfFailed()
      .exec(Journeys.browse(pages, false, pageViews, thinkTime))
      .exec(Journeys.browserLogout());

  private final ScenarioBuilder apps = scenario("app users")
      .exec(feed(listFeeder(Credentials.load()).circular()))
      .exec(pool.assign())
      .exec(Journeys.tokenLogin("app login"))
      .exitHereIfFailed()
      .exec(Journeys.browse(pages, true, pageViews, thinkTime))
      .exec(Journeys.refresh())
      .exec(Journeys.browse(pages, true, 1, thinkTime))
      .exec(Journeys.appLogout(pages));

  {
    Params.refuseMisspelt();
    setUp(
        browsers.injectOpen(Arrivals.rampThenConstant(usersPerSec / 2, rampUp, duration)),
        apps.injectOpen(Arrivals.rampThenConstant(usersPerSec / 2, rampUp, duration)))
        .protocols(target.protocol(pool))
        .assertions(
            global().failedRequests().percent().lte(maxFailedPct),
            details("proxied page").responseTime().percentile(99.0).lt(p99Ms),
            details("browser login").responseTime().percentile(99.0).lt(loginP99Ms),
            details("app login").responseTime().percentile(99.0).lt(loginP99Ms));
  }
}
