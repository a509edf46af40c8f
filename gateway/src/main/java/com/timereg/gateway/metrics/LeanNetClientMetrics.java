package com.timereg.gateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsNaming;
import io.vertx.micrometer.impl.tags.Labels;
import java.util.Set;

/**
 * A NetClient's connection meters ({@code vertx.net.client.active.connections}, {@code .bytes.read},
 * {@code .bytes.written}, {@code .errors}), with Vert.x's names, tags and meaning. Vert.x 5.0.7's own
 * implementation registers the active-connections gauge again for every connection it opens: the registry
 * keeps the first and ignores the rest, and Micrometer says so (a WARN at the gateway's start, when the
 * PostgreSQL pool or the LISTEN connection opens its second connection, DEBUG after that). Here each gauge is
 * registered once per tag set ({@link ConnectionMeters}), so every client of the registry adds to one counter,
 * and the byte counters are resolved once per tag set instead of at every connection.
 */
final class LeanNetClientMetrics implements TCPMetrics<ConnectionMeters.Connection> {
  private final Set<Label> labels;
  private final Tags local;
  private final ConnectionMeters connections;

  LeanNetClientMetrics(MeterRegistry registry, ActiveGauges activeGauges, Set<Label> labels, NetClientOptions options) {
    this(registry, activeGauges, labels, "vertx.net.client.", options.getMetricsName(), options.getLocalAddress());
  }

  /**
   * A client's connection meters under {@code baseName} ({@code vertx.http.client.} for {@link LeanHttpClientMetrics},
   * which reports its connections through these).
   */
  LeanNetClientMetrics(MeterRegistry registry, ActiveGauges activeGauges, Set<Label> labels, String baseName,
      String metricsName, String localAddress) {
    this.labels = labels;
    this.local = clientTags(labels, metricsName, localAddress);
    this.connections = new ConnectionMeters(registry, activeGauges, labels, baseName,
        "Number of connections to the remote host currently opened", "Number of bytes received from the remote host",
        "Number of bytes sent to the remote host");
  }

  /** Vert.x's meter names under this client's base name. */
  MetricsNaming names() {
    return connections.names;
  }

  /** The client's own tags (see {@link #clientTags}). */
  Tags local() {
    return local;
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

  @Override
  public ConnectionMeters.Connection connected(SocketAddress remoteAddress, String remoteName) {
    Tags tags = labels.contains(Label.REMOTE)
        ? local.and(Label.REMOTE.toString(), Labels.address(remoteAddress, remoteName))
        : local;
    return new ConnectionMeters.Connection(connections.meters(tags));
  }

  @Override
  public void disconnected(ConnectionMeters.Connection connection, SocketAddress remoteAddress) {
    connection.disconnected();
  }

  @Override
  public void bytesRead(ConnectionMeters.Connection connection, SocketAddress remoteAddress, long numberOfBytes) {
    connection.meters.bytesRead().increment(numberOfBytes);
  }

  @Override
  public void bytesWritten(ConnectionMeters.Connection connection, SocketAddress remoteAddress, long numberOfBytes) {
    connection.meters.bytesWritten().increment(numberOfBytes);
  }

  @Override
  public void exceptionOccurred(ConnectionMeters.Connection connection, SocketAddress remoteAddress, Throwable t) {
    connections.error(connection.meters, t);
  }
}
