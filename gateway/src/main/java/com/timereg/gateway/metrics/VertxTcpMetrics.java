package com.timereg.gateway.metrics;

import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.TCPMetrics;

/**
 * The connection-level part of an HTTP metrics object, left to Vert.x's own implementation. A subclass may wrap
 * Vert.x's connection metric in one of its own ({@link ServerConnectionMetric}); it is unwrapped for Vert.x here.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
abstract class VertxTcpMetrics implements TCPMetrics<Object> {
  final TCPMetrics vertx;

  VertxTcpMetrics(TCPMetrics<?> vertx) {
    this.vertx = vertx;
  }

  @Override
  public Object connected(SocketAddress remoteAddress, String remoteName) {
    return vertx.connected(remoteAddress, remoteName);
  }

  @Override
  public void disconnected(Object socketMetric, SocketAddress remoteAddress) {
    vertx.disconnected(ServerConnectionMetric.unwrap(socketMetric), remoteAddress);
  }

  @Override
  public void bytesRead(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    vertx.bytesRead(ServerConnectionMetric.unwrap(socketMetric), remoteAddress, numberOfBytes);
  }

  @Override
  public void bytesWritten(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    vertx.bytesWritten(ServerConnectionMetric.unwrap(socketMetric), remoteAddress, numberOfBytes);
  }

  @Override
  public void exceptionOccurred(Object socketMetric, SocketAddress remoteAddress, Throwable t) {
    vertx.exceptionOccurred(ServerConnectionMetric.unwrap(socketMetric), remoteAddress, t);
  }

  @Override
  public void close() {
    vertx.close();
  }
}
