package com.timereg.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsNaming;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.impl.tags.Labels;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A NetClient's connection meters ({@code vertx.net.client.active.connections}, {@code .bytes.read},
 * {@code .bytes.written}, {@code .errors}), with Vert.x's names, tags and meaning. Vert.x 5.0.7's own
 * implementation registers the active-connections gauge again for every connection it opens: the registry
 * keeps the first and ignores the rest, and Micrometer says so (a WARN at the gateway's start, when the
 * PostgreSQL pool or the LISTEN connection opens its second connection, DEBUG after that). Here each gauge is
 * registered once per tag set, in {@link ActiveGauges}, so every client of the registry adds to one counter,
 * and the byte counters are resolved once per tag set instead of at every connection.
 */
final class LeanNetClientMetrics implements TCPMetrics<LeanNetClientMetrics.Connection> {
  /** The meters of one tag set: every connection of every client with those tags. */
  private record Meters(Tags tags, LongAdder active, Counter bytesRead, Counter bytesWritten) {}

  /** One connection's meters; it leaves the gauge once, whatever Vert.x reports after its first disconnect. */
  static final class Connection {
    private final Meters meters;
    private boolean open = true;

    private Connection(Meters meters) {
      this.meters = meters;
    }
  }

  private static final MetricsNaming NAMES = MicrometerMetricsOptions.DEFAULT_METRICS_NAMING.withBaseName("vertx.net.client.");

  private final MeterRegistry registry;
  private final ActiveGauges activeGauges;
  private final Set<Label> labels;
  private final Tags local;
  private final ConcurrentHashMap<Tags, Meters> meters = new ConcurrentHashMap<>();

  LeanNetClientMetrics(MeterRegistry registry, ActiveGauges activeGauges, Set<Label> labels, NetClientOptions options) {
    this.registry = registry;
    this.activeGauges = activeGauges;
    this.labels = labels;
    this.local = clientTags(labels, options.getMetricsName(), options.getLocalAddress());
  }

  /** A client's own tags, as Vert.x's client metrics give them: its name and local address, "?" when unset. */
  static Tags clientTags(Set<Label> labels, String metricsName, String localAddress) {
    Tags base = labels.contains(Label.CLIENT_NAME)
        ? Tags.of(Label.CLIENT_NAME.toString(), metricsName == null ? "?" : metricsName)
        : Tags.empty();
    return labels.contains(Label.LOCAL)
        ? base.and(Label.LOCAL.toString(), localAddress == null ? "?" : localAddress)
        : base;
  }

  private Meters meters(Tags tags) {
    return meters.computeIfAbsent(tags, t -> new Meters(t,
        activeGauges.counter(registry, NAMES.getNetActiveConnections(),
            "Number of connections to the remote host currently opened", t),
        Counter.builder(NAMES.getNetBytesRead()).description("Number of bytes received from the remote host")
            .tags(t).register(registry),
        Counter.builder(NAMES.getNetBytesWritten()).description("Number of bytes sent to the remote host")
            .tags(t).register(registry)));
  }

  @Override
  public Connection connected(SocketAddress remoteAddress, String remoteName) {
    Tags tags = labels.contains(Label.REMOTE)
        ? local.and(Label.REMOTE.toString(), Labels.address(remoteAddress, remoteName))
        : local;
    Connection connection = new Connection(meters(tags));
    connection.meters.active.increment();
    return connection;
  }

  @Override
  public void disconnected(Connection connection, SocketAddress remoteAddress) {
    if (connection.open) {
      connection.open = false;
      connection.meters.active.decrement();
    }
  }

  @Override
  public void bytesRead(Connection connection, SocketAddress remoteAddress, long numberOfBytes) {
    connection.meters.bytesRead.increment(numberOfBytes);
  }

  @Override
  public void bytesWritten(Connection connection, SocketAddress remoteAddress, long numberOfBytes) {
    connection.meters.bytesWritten.increment(numberOfBytes);
  }

  @Override
  public void exceptionOccurred(Connection connection, SocketAddress remoteAddress, Throwable t) {
    Tags tags = labels.contains(Label.CLASS_NAME)
        ? connection.meters.tags.and(Label.CLASS_NAME.toString(), t.getClass().getSimpleName())
        : connection.meters.tags;
    Counter.builder(NAMES.getNetErrorCount()).description("Number of errors").tags(tags).register(registry).increment();
  }
}
