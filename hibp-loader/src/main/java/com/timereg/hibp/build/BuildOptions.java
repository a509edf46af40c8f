package com.timereg.hibp.build;

import com.timereg.hibp.HibpSetParameters;
import java.time.Instant;

/**
 * How to build a set.
 *
 * @param buildTime recorded in the header; fixed for reproducible builds
 * @param expectedEntries entries to size the set for, 0 for the input's upper bound (size / shortest line)
 * @param maxFalsePositiveRate the largest acceptable chance that an absent hash is reported present
 */
public record BuildOptions(Instant buildTime, long expectedEntries, double maxFalsePositiveRate) {
  public BuildOptions {
    if (expectedEntries < 0) {
      throw new IllegalArgumentException("expected entries must not be negative: " + expectedEntries);
    }
    try {
      // The header holds epoch milliseconds; found now rather than when the header is written, after the input.
      buildTime.toEpochMilli();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("build time out of range (the set records it in epoch milliseconds): "
          + buildTime);
    }
  }

  public static BuildOptions at(Instant buildTime) {
    return new BuildOptions(buildTime, 0, HibpSetParameters.DEFAULT_MAX_FALSE_POSITIVE_RATE);
  }
}
