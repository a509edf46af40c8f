package com.timereg.gateway.metrics;

import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.TCPMetrics;

/** The connection-level part of an HTTP client's metrics object, left to Vert.x's own implementation. */
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
    vertx.disconnected(socketMetric, remoteAddress);
  }

  @Override
  public void bytesRead(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    vertx.bytesRead(socketMetric, remoteAddress, numberOfBytes);
  }

  @Override
  public void bytesWritten(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    vertx.bytesWritten(socketMetric, remoteAddress, numberOfBytes);
  }

  @Override
  public void exceptionOccurred(Object socketMetric, SocketAddress remoteAddress, Throwable t) {
    vertx.exceptionOccurred(socketMetric, remoteAddress, t);
  }

  @Override
  public void close() {
    vertx.close();
  }
}
