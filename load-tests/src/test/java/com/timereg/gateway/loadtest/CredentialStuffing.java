package com.timereg.gateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.doIf;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.listFeeder;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A credential-stuffing wave against the login API while ordinary users keep working.
 *
 * <p>Attackers: one virtual user per attacking address, the addresses spread over many /24
 * ranges of 127.0.0.0/8 ({@code attackRanges} ranges of {@code attackersPerRange} addresses from
 * {@code attackFirstRange}, or an explicit {@code attackSources} pool). Each posts leaked-looking
 * credentials (a fresh login name every time, so no per-account slowdown helps them) as fast as
 * it is answered, until the gateway refuses it with 429, and then tries a few more times. It
 * counts as a success of the gateway when the address was refused after at most
 * {@code attackLimit} verified failures (the gateway's {@code throttle.ip-failure-limit};
 * surge mode and range blocks only make it sooner) and stayed refused with a Retry-After.
 *
 * <p>Legitimate users come from other addresses ({@code legitSources}, default 127.1.0.0/24)
 * at {@code usersPerSec} for {@code duration}, the attack starting {@code attackDelay} after
 * them and arriving over {@code attackRampUp}. They log in (waiting out 503 + Retry-After when
 * the attack fills the password-verification pool, as real clients do), browse and sign out.
 *
 * <p>Range probes: once every attacker is done, one virtual user from an address that never attacked, in
 * each /24 that held at least {@code rangeLimit} (5, the gateway's
 * {@code throttle.range-blocked-client-limit}; 0: no probes) attackers, sends one guess, which must be
 * refused with 429 and Retry-After: the whole range is blocked, not only the addresses that guessed.
 *
 * <p>Assertions: at least {@code minLegitSuccessPct} (99) % of legitimate journeys complete;
 * their proxied pages stay under {@code p99Ms} (1000) at the 99th percentile; every attacking
 * address ends refused; every probed range is refused.
 */
public class CredentialStuffing extends Simulation {
  private static final String LAST_STATUS = "attackStatus";
  private static final String FAILURES = "verifiedFailures";
  private static final String BUSY = "busyAnswers";
  /** Bounds an attacker's loop when the verification pool keeps answering 503. */
  private static final int MAX_BUSY_ANSWERS = 200;
  private static final int PROBES_WHILE_BLOCKED = 3;
  /** Where a load generator on the gateway's machine comes from when it binds no pool address. */
  private static final String OWN_ADDRESS = "127.0.0.1";
  /** Blocks reach every node of a cluster within a second; the probes wait that out. */
  private static final Duration BLOCK_PROPAGATION = Duration.ofSeconds(2);

  private final Target target = Target.fromSystemProperties();
  private final Pages pages = Pages.fromSystemProperties();
  private final List<String> attackAddresses = attackAddresses();
  private final ClientPool attackPool = ClientPool.of(attackAddresses);
  private final ClientPool legitPool = ClientPool.of(legitAddresses());
  private final int attackLimit = Params.integer("attackLimit", 10, 1);
  private final Duration attackDelay = Params.duration("attackDelay", Duration.ofSeconds(5));
  private final Duration attackRampUp = Params.duration("attackRampUp", Duration.ofSeconds(30));
  private final double usersPerSec = Params.decimal("usersPerSec", 1);
  private final Duration duration = Params.duration("duration", Duration.ofSeconds(60), true);
  private final int pageViews = Params.integer("pageViews", 3, 1);
  private final Duration thinkTime = Params.duration("thinkTime", Duration.ofSeconds(1));
  private final double minLegitSuccessPct = Params.percent("minLegitSuccessPct", 99);
  private final int p99Ms = Params.integer("p99Ms", 1000, 1);
  private final List<String> probeAddresses = rangeProbeAddresses(attackAddresses, Params.integer("rangeLimit", 5, 0));
  private final ClientPool probePool = ClientPool.of(probeAddresses);

  private final ScenarioBuilder attackers = scenario("attackers")
      .exec(attackPool.assign())
      .exec(group("attacker").on(attack()));

  private final ScenarioBuilder legitimate = scenario("legitimate users")
      .exec(feed(listFeeder(Credentials.load()).circular()))
      .exec(legitPool.assign())
      .exec(group("legitimate").on(
          exec(Journeys.tokenLogin("login"))
              .exitHereIfFailed()
              .exec(Journeys.browse(pages, true, pageViews, thinkTime))
              .exec(Journeys.appLogout(pages))));

  private final ScenarioBuilder rangeProbes = scenario("range probes")
      .exec(probePool.assign())
      .pause(BLOCK_PROPAGATION)
      .exec(group("range probe").on(
          exec(guess("range probe: guess").check(status().is(429), header("Retry-After").exists()))));

  {
    Params.refuseMisspelt();
    PopulationBuilder attack = attackers
        .injectOpen(nothingFor(attackDelay), rampUsers(attackAddresses.size()).during(attackRampUp))
        .protocols(target.protocol(attackPool));
    List<Assertion> assertions = new ArrayList<>(List.of(
        details("legitimate").successfulRequests().percent().gte(minLegitSuccessPct),
        details("legitimate", "proxied page").responseTime().percentile(99.0).lt(p99Ms),
        details("attacker").successfulRequests().percent().is(100.0)));
    if (!probeAddresses.isEmpty()) {
      attack = attack.andThen(rangeProbes.injectOpen(atOnceUsers(probeAddresses.size()))
          .protocols(target.protocol(probePool)));
      assertions.add(details("range probe").successfulRequests().percent().is(100.0));
    }
    setUp(
        legitimate.injectOpen(Arrivals.rampThenConstant(usersPerSec, Duration.ZERO, duration))
            .protocols(target.protocol(legitPool)),
        attack)
        .assertions(assertions);
  }

  /**
   * One address of each /24 that holds at least {@code rangeLimit} attackers (none when it is 0), not itself
   * an attacker: the gateway must refuse it although it never guessed, because its range is blocked.
   */
  static List<String> rangeProbeAddresses(List<String> attack, int rangeLimit) {
    List<String> probes = new ArrayList<>();
    if (rangeLimit == 0) {
      return probes;
    }
    Map<String, Integer> perRange = new LinkedHashMap<>();
    attack.forEach(a -> perRange.merge(SourceAddresses.rangeOf(a), 1, Integer::sum));
    Set<String> attacking = new HashSet<>(attack);
    perRange.forEach((range, attackers) -> {
      if (attackers < rangeLimit) {
        return;
      }
      int network = SourceAddresses.toInt(range.substring(0, range.indexOf('/')));
      for (int host = 254; host >= 1; host--) {
        String a = SourceAddresses.format(network + host);
        if (!attacking.contains(a)) {
          probes.add(a);
          return;
        }
      }
    });
    return probes;
  }

  /**
   * The attacking pool, kept out of the /24 of 127.0.0.1 and of the legitimate users' ranges: attacking
   * addresses get blocked and, five of them in a /24 ({@code throttle.range-blocked-client-limit}), their whole
   * range. In 127.0.0.0/24 that range holds the generator's own address, where every run without a pool comes
   * from (for 15 minutes up to a day after); in a legitimate range it refuses the users the run measures.
   */
  static List<String> attackAddresses() {
    if (!Params.string("sources", "").isEmpty()) {
      // The other simulations' pool; ignored here, the run would come from the default pools without a word.
      throw new IllegalArgumentException("-Dsources is no parameter of CredentialStuffing: its legitimate users come "
          + "from -DlegitSources (default 127.1.0.0/24), its attackers from -DattackSources or -DattackFirstRange");
    }
    String explicit = Params.string("attackSources", "");
    List<String> attack = explicit.isEmpty() ? spread() : SourceAddresses.parse("attackSources", explicit);
    Set<String> legitRanges = new HashSet<>();
    legitAddresses().forEach(a -> legitRanges.add(SourceAddresses.rangeOf(a)));
    String ownRange = SourceAddresses.rangeOf(OWN_ADDRESS);
    for (String a : attack) {
      String range = SourceAddresses.rangeOf(a);
      if (range.equals(ownRange)) {
        throw new IllegalArgumentException("attacker " + a + " is in " + range + ", the range of this machine's own "
            + "address " + OWN_ADDRESS + ": its block would refuse every run without a pool; take another "
            + "-DattackFirstRange or -DattackSources");
      }
      if (legitRanges.contains(range)) {
        throw new IllegalArgumentException("attacker " + a + " is in " + range + ", a range of the legitimate users "
            + "(-DlegitSources): its block would refuse them too; keep the two pools in different /24 ranges");
      }
    }
    return attack;
  }

  private static List<String> legitAddresses() {
    return SourceAddresses.parse("legitSources", Params.string("legitSources", "127.1.0.0/24"));
  }

  private static List<String> spread() {
    String first = Params.string("attackFirstRange", "127.66.1.0");
    int ranges = Params.integer("attackRanges", 8, 1);
    int perRange = Params.integer("attackersPerRange", 6, 1);
    try {
      return SourceAddresses.spread(first, ranges, perRange);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("-DattackFirstRange=" + first + ", -DattackRanges=" + ranges
          + ", -DattackersPerRange=" + perRange + ": " + e.getMessage(), e);
    }
  }

  private ChainBuilder attack() {
    return exec(s -> s.set(LAST_STATUS, 0).set(FAILURES, 0).set(BUSY, 0))
        .asLongAs(s -> !s.isFailed() && s.getInt(LAST_STATUS) != 429
            && s.getInt(FAILURES) <= attackLimit && s.getInt(BUSY) < MAX_BUSY_ANSWERS).on(
            exec(guess("attack: guess").check(status().in(401, 429, 503).saveAs(LAST_STATUS))),
            exec(CredentialStuffing::count),
            // Even a bot backs off a little from 503s; without it the loop only measures how
            // fast the gateway can say "busy".
            doIf(s -> s.getInt(LAST_STATUS) == 503).then(pause(Duration.ofMillis(200))))
        .exec(s -> s.getInt(LAST_STATUS) == 429 && s.getInt(FAILURES) <= attackLimit ? s : s.markAsFailed())
        .exitHereIfFailed()
        .repeat(PROBES_WHILE_BLOCKED).on(
            exec(guess("attack: while blocked").check(status().is(429), header("Retry-After").exists())));
  }

  private static io.gatling.javaapi.http.HttpRequestActionBuilder guess(String name) {
    return http(name).post("/auth/token")
        .body(StringBody(s -> Json.object(
            "username", "user-" + UUID.randomUUID().toString().substring(0, 8) + "@stuffing.invalid",
            "password", UUID.randomUUID().toString())))
        .asJson();
  }

  private static Session count(Session s) {
    if (!s.contains(LAST_STATUS)) {
      return s;
    }
    int status = s.getInt(LAST_STATUS);
    return s.set(FAILURES, s.getInt(FAILURES) + (status == 401 ? 1 : 0))
        .set(BUSY, s.getInt(BUSY) + (status == 503 ? 1 : 0));
  }
}
