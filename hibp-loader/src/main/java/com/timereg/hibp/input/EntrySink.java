package com.timereg.hibp.input;

import java.io.IOException;

/** Receives the entries of an input in ascending hash order. */
@FunctionalInterface
public interface EntrySink {
  /** A hash given by its first 128 bits, big-endian ({@code hi} holds the first 8 bytes), and its count. */
  void accept(long hi, long lo, long count) throws IOException;
}
