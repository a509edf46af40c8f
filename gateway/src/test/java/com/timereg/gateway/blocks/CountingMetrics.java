package com.timereg.gateway.blocks;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts what a node reports, so tests can wait for an event instead of sleeping. */
final class CountingMetrics implements BlockSyncMetrics {
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

  int count(String key) {
    AtomicInteger n = counts.get(key);
    return n == null ? 0 : n.get();
  }

  private void add(String key) {
    counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
  }

  @Override
  public void written(String action) {
    add("written " + action);
  }

  @Override
  public void writeFailed(String action, String reason) {
    add("failed " + action + " " + reason);
  }

  @Override
  public void notification(String outcome) {
    add("notification " + outcome);
  }

  @Override
  public void reload(boolean succeeded) {
    add(succeeded ? "reloaded" : "reload failed");
  }

  @Override
  public void listenerLost() {
    add("listener lost");
  }

  @Override
  public String toString() {
    return counts.toString();
  }
}
