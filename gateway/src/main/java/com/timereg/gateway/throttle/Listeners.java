package com.timereg.gateway.throttle;

import com.timereg.gateway.clientip.Cidr;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The registered {@link ThrottleListener}s; a failing listener never reaches the request path. */
final class Listeners {
  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);
  private final List<ThrottleListener> listeners = new CopyOnWriteArrayList<>();

  void add(ThrottleListener listener) {
    listeners.add(listener);
  }

  void issued(BlockEntry block, Origin origin) {
    for (ThrottleListener l : listeners) {
      try {
        l.blockIssued(block, origin);
      } catch (RuntimeException e) {
        LOG.warn("Throttle listener {} failed on an issued block: {}", l, e.toString());
      }
    }
  }

  void lifted(Cidr subject, BlockKind kind, Origin origin) {
    for (ThrottleListener l : listeners) {
      try {
        l.blockLifted(subject, kind, origin);
      } catch (RuntimeException e) {
        LOG.warn("Throttle listener {} failed on a lifted block: {}", l, e.toString());
      }
    }
  }
}
