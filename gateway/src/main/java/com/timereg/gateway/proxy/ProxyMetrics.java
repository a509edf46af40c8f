package com.timereg.gateway.proxy;

/** What the proxy reports; {@link MicrometerProxyMetrics} is the production implementation. */
public interface ProxyMetrics {

  /** Reports nothing: for tools and tests that do not look at metrics. */
  ProxyMetrics NONE = new ProxyMetrics() {
    @Override
    public void requestCompleted(int status, long durationNanos) {}

    @Override
    public void failed(ProxyFailure failure) {}
  };

  /**
   * A proxied exchange ended: the response was sent completely (or the connection was cut after its head).
   *
   * @param status        the status the client received, including the proxy's own 4xx/5xx answers
   * @param durationNanos from the proxy step receiving the request to the end of the response
   */
  void requestCompleted(int status, long durationNanos);

  /** A request starts on the direct path ({@link DirectProxy}); it completes or fails like any other. */
  default void relayedDirectly() {}

  /** A WebSocket tunnel was spliced: it counts as open until {@link #tunnelClosed} (its client socket closed). */
  default void tunnelOpened() {}

  /** The client socket of a tunnel counted by {@link #tunnelOpened} has closed, however the tunnel ended. */
  default void tunnelClosed() {}

  /** The proxy could not relay a response, or a relayed response was cut off. */
  void failed(ProxyFailure failure);
}
