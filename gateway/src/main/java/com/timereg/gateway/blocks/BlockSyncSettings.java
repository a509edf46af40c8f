package com.timereg.gateway.blocks;

import com.timereg.gateway.clientip.Cidr;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a node shares blocks and allowlist edits through PostgreSQL. {@link #DEFAULTS} holds the
 * defaults; see docs/blocks.md.
 *
 * @param nodeId this node's name in notifications and audit rows; null for a random one per start
 * @param maxManualBlock longest manual block an administrator may set (30 days): every block ends
 *     by itself, and a "temporary" block of years is a typo or a permanent block in disguise
 * @param minIpv4Prefix shortest IPv4 prefix that may be blocked or allowlisted by hand (/8)
 * @param minIpv6Prefix shortest IPv6 prefix that may be blocked or allowlisted by hand (/16)
 * @param reconnectInitialDelay first wait before reconnecting the LISTEN connection (100 ms),
 *     doubled on each failed attempt
 * @param reconnectMaxDelay cap on that wait (5 s): how long a node may stay deaf after PostgreSQL
 *     comes back
 * @param listenerProbeInterval how often the LISTEN connection is probed with a query (30 s); a
 *     connection silently cut by the network would otherwise never deliver nor notice
 * @param maxPendingWrites automatic blocks being written at once (1000); beyond, new ones are not
 *     written (counted and logged) so that an outage during an attack cannot exhaust memory
 * @param configuredAllowlist ranges allowlisted by configuration: kept through every reload from
 *     the tables and not removable through the admin API
 */
public record BlockSyncSettings(
    NodeId nodeId,
    Duration maxManualBlock,
    int minIpv4Prefix,
    int minIpv6Prefix,
    Duration reconnectInitialDelay,
    Duration reconnectMaxDelay,
    Duration listenerProbeInterval,
    int maxPendingWrites,
    List<Cidr> configuredAllowlist) {

  public static final Duration DEFAULT_MAX_MANUAL_BLOCK = Duration.ofDays(30);
  public static final int DEFAULT_MIN_IPV4_PREFIX = 8;
  public static final int DEFAULT_MIN_IPV6_PREFIX = 16;
  public static final Duration DEFAULT_RECONNECT_INITIAL_DELAY = Duration.ofMillis(100);
  public static final Duration DEFAULT_RECONNECT_MAX_DELAY = Duration.ofSeconds(5);
  public static final Duration DEFAULT_LISTENER_PROBE_INTERVAL = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_PENDING_WRITES = 1000;

  public static final BlockSyncSettings DEFAULTS = new BlockSyncSettings(null, DEFAULT_MAX_MANUAL_BLOCK,
      DEFAULT_MIN_IPV4_PREFIX, DEFAULT_MIN_IPV6_PREFIX, DEFAULT_RECONNECT_INITIAL_DELAY,
      DEFAULT_RECONNECT_MAX_DELAY, DEFAULT_LISTENER_PROBE_INTERVAL, DEFAULT_MAX_PENDING_WRITES, List.of());

  public BlockSyncSettings {
    configuredAllowlist = configuredAllowlist == null ? List.of() : List.copyOf(configuredAllowlist);
  }

  public BlockSyncSettings withNodeId(NodeId id) {
    return new BlockSyncSettings(id, maxManualBlock, minIpv4Prefix, minIpv6Prefix, reconnectInitialDelay,
        reconnectMaxDelay, listenerProbeInterval, maxPendingWrites, configuredAllowlist);
  }

  /** Every problem with these settings, empty when valid. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    positive(out, "max-manual-block", maxManualBlock);
    positive(out, "reconnect-initial-delay", reconnectInitialDelay);
    positive(out, "reconnect-max-delay", reconnectMaxDelay);
    positive(out, "listener-probe-interval", listenerProbeInterval);
    if (minIpv4Prefix < 0 || minIpv4Prefix > 32) {
      out.add("min-ipv4-prefix must be between 0 and 32, was " + minIpv4Prefix);
    }
    if (minIpv6Prefix < 0 || minIpv6Prefix > 128) {
      out.add("min-ipv6-prefix must be between 0 and 128, was " + minIpv6Prefix);
    }
    if (maxPendingWrites < 1) {
      out.add("max-pending-writes must be at least 1, was " + maxPendingWrites);
    }
    if (reconnectInitialDelay != null && reconnectMaxDelay != null
        && reconnectInitialDelay.compareTo(reconnectMaxDelay) > 0) {
      out.add("reconnect-initial-delay must not exceed reconnect-max-delay");
    }
    return out;
  }

  /** Throws one exception naming every problem, so a bad configuration is fixed in one pass. */
  public BlockSyncSettings requireValid() {
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid block sync settings: " + String.join("; ", problems));
    }
    return this;
  }

  /** Wait before reconnect attempt {@code attempt} (0 = just disconnected): doubling, capped. */
  long reconnectDelayMillis(int attempt) {
    long initial = reconnectInitialDelay.toMillis();
    long delay = initial << Math.min(attempt, 20);
    return Math.min(delay, reconnectMaxDelay.toMillis());
  }

  private static void positive(List<String> out, String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      out.add(name + " must be a positive duration, was " + d);
    }
  }
}
