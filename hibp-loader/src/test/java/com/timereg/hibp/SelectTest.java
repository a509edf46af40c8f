package com.timereg.hibp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SelectTest {
  @Test
  void findsTheKthSetBitOfAnyWord() {
    SplittableRandom r = new SplittableRandom(4);
    for (int i = 0; i < 200_000; i++) {
      long word = r.nextLong() & r.nextLong() | (i % 3 == 0 ? r.nextLong() : 0);
      if (i % 1000 == 0) {
        word = -1L;
      }
      long w = word;
      for (int k = 0; w != 0; k++, w &= w - 1) {
        assertThat(Select.select(word, k)).isEqualTo(Long.numberOfTrailingZeros(w));
      }
    }
  }
}
