package com.timereg.hibp;

/**
 * A compact prevalence: the class of a breach count is floor(log2(count)), capped at the top class. Class c
 * stands for counts from 2^c to 2^(c+1) - 1 (the top class for everything from 2^c up), and its
 * representative count is the lower bound 2^c, so {@code prevalence >= t} is exact for any power of two t.
 */
public final class PrevalenceClass {
  private PrevalenceClass() {}

  public static int of(long count, int classBits) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1: " + count);
    }
    int top = (1 << classBits) - 1;
    return Math.min(top, 63 - Long.numberOfLeadingZeros(count));
  }

  /** The representative count of a class: the smallest count in it. */
  public static long representative(int cls) {
    return 1L << cls;
  }

  /** The largest count in a class, or {@link Long#MAX_VALUE} for the open-ended top class. */
  public static long upperBound(int cls, int classBits) {
    return cls == (1 << classBits) - 1 ? Long.MAX_VALUE : (1L << (cls + 1)) - 1;
  }
}
