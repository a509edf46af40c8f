package com.timereg.gateway.admin;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.throttle.FailureKind;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The most recent login outcomes of this node, in a fixed-size ring: the oldest is overwritten,
 * so memory stays bounded whatever an attack sends. Per node and in memory only: the audit trail
 * in PostgreSQL holds blocks and edits, while login outcomes are far too many to write there.
 *
 * <p>Recording takes a short lock (a few field writes); event loops of every listener call it.
 */
public final class RecentLoginEvents implements SecurityEvents {
  private final LoginEvent[] ring;
  private final Clock clock;
  private final String node;
  private long written;

  public RecentLoginEvents(int capacity, Clock clock, String node) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.ring = new LoginEvent[capacity];
    this.clock = clock;
    this.node = node;
  }

  @Override
  public void loginSucceeded(InetAddress client, String loginName, String method) {
    String m = method == null ? "unknown" : method;
    add(new LoginEvent(clock.instant(), client, true, loginName, m, node));
  }

  @Override
  public void loginFailed(InetAddress client, String knownLoginName, FailureKind kind) {
    String k = kind == null ? "unknown" : kind.metricTag();
    add(new LoginEvent(clock.instant(), client, false, knownLoginName, k, node));
  }

  private synchronized void add(LoginEvent e) {
    ring[(int) (written % ring.length)] = e;
    written++;
  }

  public int capacity() {
    return ring.length;
  }

  /** Events held now (at most the capacity). */
  public synchronized int size() {
    return (int) Math.min(written, ring.length);
  }

  /** The newest {@code limit} events after skipping {@code offset}, newest first. */
  public List<LoginEvent> newest(int offset, int limit) {
    return select(e -> true, offset, limit);
  }

  /** The newest events from addresses inside {@code range}, newest first. */
  public List<LoginEvent> from(Cidr range, int limit) {
    return select(e -> range.contains(e.client()), 0, limit);
  }

  private synchronized List<LoginEvent> select(Predicate<LoginEvent> filter, int offset, int limit) {
    List<LoginEvent> out = new ArrayList<>(Math.min(limit, size()));
    int skipped = 0;
    for (long i = written - 1; i >= 0 && i >= written - ring.length && out.size() < limit; i--) {
      LoginEvent e = ring[(int) (i % ring.length)];
      if (filter.test(e)) {
        if (skipped < offset) {
          skipped++;
        } else {
          out.add(e);
        }
      }
    }
    return out;
  }
}
