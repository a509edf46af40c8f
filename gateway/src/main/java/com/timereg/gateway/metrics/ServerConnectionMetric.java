package com.timereg.gateway.metrics;

import io.vertx.core.net.SocketAddress;

/**
 * What the lean HTTP server meters keep per connection: its connection meters, and the remote address Vert.x
 * reported when the connection opened. With the PROXY protocol that is the address the load balancer's PROXY
 * header named, which Vert.x 5.0.7 hands only to this first report (the HTTP connection that follows reads the
 * socket's peer again); {@link #reportedPeer} lets the edge find it from the connection's metric.
 */
public final class ServerConnectionMetric extends ConnectionMeters.Connection {
  private final SocketAddress reportedPeer;

  ServerConnectionMetric(ConnectionMeters.Meters meters, SocketAddress reportedPeer) {
    super(meters);
    this.reportedPeer = reportedPeer;
  }

  /**
   * The remote address Vert.x reported when the connection of {@code metric} (a server connection's metric)
   * opened, or null when {@code metric} is not one of these (metrics disabled).
   */
  public static SocketAddress reportedPeer(Object metric) {
    return metric instanceof ServerConnectionMetric m ? m.reportedPeer : null;
  }
}
