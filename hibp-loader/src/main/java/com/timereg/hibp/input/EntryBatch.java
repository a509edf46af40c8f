package com.timereg.hibp.input;

/** Consecutive entries of an input, in ascending hash order, added by the one parse worker that fills it. */
public interface EntryBatch {
  /** A hash given by its first 128 bits, big-endian ({@code hi} holds the first 8 bytes), and its count. */
  void add(long hi, long lo, long count);
}
