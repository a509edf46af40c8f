package com.timereg.hibp.generate;

import java.util.SplittableRandom;

/** Binomial draws for splitting n hashes over ranges; the generator keeps the mean near 16. */
final class Binomial {
  private static final double INVERSION_MAX_MEAN = 200;

  private Binomial() {}

  static long sample(SplittableRandom random, long n, double p) {
    if (n == 0 || p <= 0) {
      return 0;
    }
    if (p >= 1) {
      return n;
    }
    if (p > 0.5) {
      return n - sample(random, n, 1 - p);
    }
    double mean = n * p;
    if (mean > INVERSION_MAX_MEAN) {
      long k = Math.round(mean + Math.sqrt(mean * (1 - p)) * random.nextGaussian());
      return Math.max(0, Math.min(n, k));
    }
    // Inversion: walk the distribution from k = 0 until the uniform draw is used up.
    double u = random.nextDouble();
    double prob = Math.exp(n * Math.log1p(-p));
    double ratio = p / (1 - p);
    long k = 0;
    while (u > prob && k < n) {
      u -= prob;
      prob *= ratio * (n - k) / (k + 1);
      k++;
    }
    return k;
  }
}
