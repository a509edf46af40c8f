package com.timereg.hibp.input;

import java.io.IOException;

/** Batches that only collect entries, handed one by one to an {@link EntrySink} on the reading thread. */
final class EntrySinkBatches implements BatchSink<EntrySinkBatches.Entries> {
  private final EntrySink sink;

  EntrySinkBatches(EntrySink sink) {
    this.sink = sink;
  }

  static final class Entries implements EntryBatch {
    private final long[] values;
    private int size;

    Entries(int maxEntries) {
      values = new long[3 * maxEntries];
    }

    @Override
    public void add(long hi, long lo, long count) {
      values[size++] = hi;
      values[size++] = lo;
      values[size++] = count;
    }
  }

  @Override
  public Entries newBatch(int maxEntries) {
    return new Entries(maxEntries);
  }

  @Override
  public void accept(Entries batch) throws IOException {
    for (int i = 0; i < batch.size; i += 3) {
      sink.accept(batch.values[i], batch.values[i + 1], batch.values[i + 2]);
    }
  }
}
