package com.timereg.gateway.config;

import com.timereg.gateway.blocks.BlockSyncSettings;
import com.timereg.gateway.blocks.NodeId;
import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.throttle.ThrottlePolicy;
import com.timereg.gateway.throttle.ThrottleStorageSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Client address and throttling settings, read from {@code client-address.*} and {@code throttle.*}.
 *
 * @param trustedProxies peers whose X-Forwarded-For is believed; empty (the default) trusts none
 * @param keys prefix lengths of client and range keys
 * @param policy limits, windows, escalation, surge mode, office headroom, per-name delay
 * @param storage where the Chronicle maps live and how many entries they hold
 * @param allowlist addresses never blocked (monitoring, offices), besides those edited at run time
 * @param scope which requests a block refuses
 * @param sync how blocks and edits are shared with other nodes through PostgreSQL
 */
public record ThrottleConfig(
    List<Cidr> trustedProxies, ClientKeyPolicy keys, ThrottlePolicy policy, ThrottleStorageSettings storage,
    List<Cidr> allowlist, BlockScope scope, BlockSyncSettings sync) {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ThrottleConfig.class);

  /** Which requests a blocked address is refused. */
  public enum BlockScope {
    /** Only the login endpoints. */
    LOGIN_ONLY,
    /** Login endpoints and every request without a valid session (the default): a logged-in user behind a blocked NAT keeps working. */
    UNAUTHENTICATED,
    /** Everything, sessions included. */
    EVERYTHING
  }

  static ThrottleConfig read(ConfigReader r, Path dataDir) {
    List<Cidr> trusted = trustedProxies(r);
    ClientKeyPolicy d = ClientKeyPolicy.DEFAULTS;
    // From 1: a prefix of 0 would make every address one client (or one range), whose failures block everyone.
    ClientKeyPolicy keys = new ClientKeyPolicy(
        r.integer("client-address.ipv4-client-prefix", d.ipv4ClientPrefix(), 1, 32),
        r.integer("client-address.ipv6-client-prefix", d.ipv6ClientPrefix(), 1, 128),
        r.integer("client-address.ipv4-range-prefix", d.ipv4RangePrefix(), 1, 32),
        r.integer("client-address.ipv6-range-prefix", d.ipv6RangePrefix(), 1, 128));
    // Only what the ranges above cannot catch: a range key longer than its client key.
    keys.problems().forEach(p -> r.problem("client-address", p));
    ThrottlePolicy t = ThrottlePolicy.DEFAULTS;
    Duration max = Duration.ofDays(3650);
    ThrottlePolicy policy = new ThrottlePolicy(
        r.duration("throttle.window", t.window(), Duration.ofSeconds(1), max),
        r.integer("throttle.ip-failure-limit", t.ipFailureLimit(), 1, 1_000_000),
        r.integer("throttle.range-failure-limit", t.rangeFailureLimit(), 1, 1_000_000),
        r.integer("throttle.range-blocked-client-limit", t.rangeBlockedClientLimit(), 1, 1_000_000),
        r.duration("throttle.range-blocked-client-window", t.rangeBlockedClientWindow(), Duration.ofSeconds(1), max),
        r.duration("throttle.first-block", t.firstBlock(), Duration.ofSeconds(1), max),
        r.integer("throttle.escalation-factor", t.escalationFactor(), 1, 100),
        r.duration("throttle.max-block", t.maxBlock(), Duration.ofSeconds(1), max),
        r.duration("throttle.escalation-memory", t.escalationMemory(), Duration.ofSeconds(1), max),
        r.integer("throttle.surge-failures-per-minute", t.surgeFailuresPerMinute(), 1, 100_000_000),
        r.decimal("throttle.surge-exit-ratio", t.surgeExitRatio(), 0.01, 1.0),
        r.duration("throttle.surge-min-duration", t.surgeMinDuration(), Duration.ofSeconds(1), max),
        r.decimal("throttle.surge-limit-factor", t.surgeLimitFactor(), 0.01, 1.0),
        r.duration("throttle.success-memory", t.successMemory(), Duration.ofSeconds(1), max),
        r.decimal("throttle.success-headroom-factor", t.successHeadroomFactor(), 1.0, ThrottlePolicy.MAX_SUCCESS_HEADROOM_FACTOR),
        r.integer("throttle.account-free-failures", t.accountFreeFailures(), 0, 1000),
        r.duration("throttle.account-base-delay", t.accountBaseDelay(), Duration.ofMillis(1), Duration.ofMinutes(5)),
        r.duration("throttle.account-max-delay", t.accountMaxDelay(), Duration.ofMillis(1), Duration.ofMinutes(5)),
        r.duration("throttle.account-quiet-period", t.accountQuietPeriod(), Duration.ofSeconds(1), max),
        r.integer("throttle.account-capacity", t.accountCapacity(), 1, 100_000_000),
        r.decimal("throttle.degrade-fill-ratio", t.degradeFillRatio(), 0.1, 0.95),
        r.integer("throttle.success-headroom-per-user", t.successHeadroomPerUser(), 0, ThrottlePolicy.MAX_SUCCESS_HEADROOM_PER_USER),
        r.decimal("throttle.max-success-headroom-factor", t.maxSuccessHeadroomFactor(), 1.0, ThrottlePolicy.MAX_PEOPLE_HEADROOM_FACTOR),
        r.integer("throttle.success-people-capacity", t.successPeopleCapacity(), 1, 100_000_000));
    policy.problems().forEach(p -> r.problem("throttle", p));
    fit(r, policy);
    ThrottleStorageSettings storage = new ThrottleStorageSettings(
        dataDir.resolve("throttle"),
        r.integer("throttle.client-entries", (int) ThrottleStorageSettings.DEFAULT_CLIENT_ENTRIES, 1000,
            (int) ThrottleStorageSettings.MAX_ENTRIES),
        r.integer("throttle.range-entries", (int) ThrottleStorageSettings.DEFAULT_RANGE_ENTRIES, 1000,
            (int) ThrottleStorageSettings.MAX_ENTRIES));
    storage.problems().forEach(p -> r.problem("throttle", p));
    BlockSyncSettings d2 = BlockSyncSettings.DEFAULTS;
    List<Cidr> allowlist = allowlist(r, d2);
    BlockSyncSettings sync = new BlockSyncSettings(
        nodeId(r),
        r.duration("throttle.max-manual-block", d2.maxManualBlock(), Duration.ofMinutes(1), Duration.ofDays(3650)),
        d2.minIpv4Prefix(), d2.minIpv6Prefix(), d2.reconnectInitialDelay(), d2.reconnectMaxDelay(),
        d2.listenerProbeInterval(), d2.maxPendingWrites(), allowlist);
    sync.problems().forEach(p -> r.problem("throttle", p));
    return new ThrottleConfig(trusted, keys, policy, storage, allowlist,
        r.enumValue("throttle.scope", BlockScope.class, BlockScope.UNAUTHENTICATED), sync);
  }

  /**
   * Limits and windows each within its range that do not fit together. An error where a setting would do
   * something else than it says; a warning where it only does less than the operator may think.
   */
  private static void fit(ConfigReader r, ThrottlePolicy p) {
    // The range holds the address, and both count the same failures: a range limit below the address's blocks the
    // whole /24 (/48), every neighbour with it, before the address reaches its own limit, which never applies.
    if (p.rangeFailureLimit() < p.ipFailureLimit()) {
      r.problem("throttle.range-failure-limit", "must not be below throttle.ip-failure-limit (" + p.ipFailureLimit()
          + "), got " + p.rangeFailureLimit() + ": one address would block its whole range, every neighbour with"
          + " it, before its own limit");
    }
    if (p.rangeBlockedClientWindow().compareTo(p.window()) < 0) {
      LOG.warn("throttle.range-blocked-client-window ({}) is shorter than throttle.window ({}): blocked addresses"
          + " are remembered for less time than failures, so an attacker going through a range's addresses one after"
          + " another is seldom caught by throttle.range-blocked-client-limit; docs/throttle.md",
          p.rangeBlockedClientWindow(), p.window());
    }
    if (p.escalationMemory().compareTo(p.firstBlock()) < 0) {
      LOG.warn("throttle.escalation-memory ({}) is shorter than throttle.first-block ({}): an address that comes back"
          + " more than {} after its block ended gets a first block again, so repeat offenders escalate only if they"
          + " resume at once", p.escalationMemory(), p.firstBlock(), p.escalationMemory());
    }
  }

  /** The configured node id, or null for a random one; an invalid id is a problem reported with the rest. */
  private static NodeId nodeId(ConfigReader r) {
    String id = r.optionalString("throttle.node-id").orElse(null);
    if (id == null) {
      return null;
    }
    try {
      return new NodeId(id);
    } catch (IllegalArgumentException e) {
      // NodeId's own message quotes the value whatever it is; a password pasted here must not reach the log.
      r.problem("throttle.node-id", "must be 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit;"
          + " got " + ConfigReader.shown(id));
      return null;
    }
  }

  /**
   * The trusted proxies, refusing a block of length 0 (0.0.0.0/0, ::/0, ::ffff:0:0/96): with every peer trusted,
   * any client names its own address in X-Forwarded-For and is never blocked. Fail closed rather than guess.
   */
  private static List<Cidr> trustedProxies(ConfigReader r) {
    return cidrsRefusing(r, "client-address.trusted-proxies", c -> c.prefixLength() > 0 ? null
        : "'" + c + "' trusts every " + (c.isIpv4() ? "IPv4" : "IPv6") + " peer, so any client could name its own"
            + " address in X-Forwarded-For; list the load balancers' addresses or ranges instead");
  }

  /**
   * The configured allowlist, held to the width the console allows (IPv4 /8, IPv6 /16 or narrower): a wider entry
   * (0.0.0.0/0 at worst) switches brute-force protection off for everyone it covers, a mistake to refuse, not run.
   */
  private static List<Cidr> allowlist(ConfigReader r, BlockSyncSettings limits) {
    return cidrsRefusing(r, "throttle.allowlist", c -> {
      int min = c.isIpv4() ? limits.minIpv4Prefix() : limits.minIpv6Prefix();
      return c.prefixLength() >= min ? null : "'" + c + "' is too wide: its failures would never count towards a"
          + " block; " + (c.isIpv4() ? "IPv4" : "IPv6") + " entries must be /" + min + " or narrower, as in the console";
    });
  }

  /** The CIDRs at {@code path} but those {@code refusal} names a reason for, each reported as a problem. */
  private static List<Cidr> cidrsRefusing(ConfigReader r, String path, java.util.function.Function<Cidr, String> refusal) {
    List<Cidr> out = new ArrayList<>();
    for (Cidr c : cidrs(r, path)) {
      String why = refusal.apply(c);
      if (why == null) {
        out.add(c);
      } else {
        r.problem(path, why);
      }
    }
    return List.copyOf(out);
  }

  private static List<Cidr> cidrs(ConfigReader r, String path) {
    List<Cidr> out = new ArrayList<>();
    for (String s : r.stringList(path, List.of())) {
      try {
        out.add(Cidr.parse(s));
      } catch (IllegalArgumentException e) {
        // Cidr's message quotes the entry: only one shaped like an address (a dot or colon among hex digits) is the
        // mistake to show; anything else could be a secret pasted under the wrong key.
        r.problem(path, s.matches("[0-9A-Fa-f.:/\\[\\]% ]*[.:][0-9A-Fa-f.:/\\[\\]% ]*") ? e.getMessage()
            : "an entry is not an IP address range (e.g. 10.0.0.0/8 or 2001:db8::/32): " + ConfigReader.shown(s));
      }
    }
    return List.copyOf(out);
  }
}
