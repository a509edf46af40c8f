package com.timereg.gateway.blocks;

import java.util.function.BooleanSupplier;

/** What block sharing reports; {@link MicrometerBlockSyncMetrics} exports it. */
public interface BlockSyncMetrics {
  BlockSyncMetrics NOOP = new BlockSyncMetrics() {};

  /** A change was committed: {@code block-issued-automatic}, {@code block}, {@code unblock}, {@code allow-add}, ... */
  default void written(String action) {}

  /** A change could not be committed (or, for {@code backlog-full}, was not even tried). */
  default void writeFailed(String action, String reason) {}

  /** A notification arrived: {@code applied}, {@code own} (sent by this node, skipped) or {@code invalid}. */
  default void notification(String outcome) {}

  /** A load of the whole state from the tables ended. */
  default void reload(boolean succeeded) {}

  /** The LISTEN connection was lost; a reconnect and a reload follow. */
  default void listenerLost() {}

  /** Registers a gauge of whether this node is listening and has loaded the tables; called once. */
  default void bind(BooleanSupplier synced) {}
}
