package com.timereg.hibp.input;

import java.io.IOException;

/**
 * Receives an input's entries in batches, so that per-entry work can run on the parse workers: each slice of
 * the input is parsed into a batch of its own on a worker thread, then the batches are accepted one after the
 * other, in input order, on the thread that reads.
 */
public interface BatchSink<B extends EntryBatch> {
  /** An empty batch for at most {@code maxEntries} entries; called on the parse workers, so thread-safe. */
  B newBatch(int maxEntries);

  /** The next batch in input order, checked and complete; called on the reading thread. */
  void accept(B batch) throws IOException;
}
