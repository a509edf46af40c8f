package com.timereg.hibp.input;

/** Consecutive entries of an input, in ascending hash order, added by the one parse worker that fills it. */
public interface EntryBatch {
  /** A hash given by its first 128 bits, big-endian ({@code hi} holds the first 8 bytes), and its count. */
  void add(long hi, long lo, long count);

  /** {@code n} entries as {@code hi, lo, count} triples from {@code triples[from]} on, in order. */
  default void addAll(long[] triples, int from, int n) {
    for (int i = from, end = from + 3 * n; i < end; i += 3) {
      add(triples[i], triples[i + 1], triples[i + 2]);
    }
  }
}
