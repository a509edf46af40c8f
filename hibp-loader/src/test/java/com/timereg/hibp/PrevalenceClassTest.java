package com.timereg.hibp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PrevalenceClassTest {
  @Test
  void classIsTheFloorOfLog2CappedAtTheTopClass() {
    assertThat(PrevalenceClass.of(1, 4)).isZero();
    assertThat(PrevalenceClass.of(2, 4)).isEqualTo(1);
    assertThat(PrevalenceClass.of(3, 4)).isEqualTo(1);
    assertThat(PrevalenceClass.of(4, 4)).isEqualTo(2);
    assertThat(PrevalenceClass.of(32_767, 4)).isEqualTo(14);
    assertThat(PrevalenceClass.of(32_768, 4)).isEqualTo(15);
    assertThat(PrevalenceClass.of(52_000_000, 4)).isEqualTo(15);
  }

  @Test
  void representativeIsTheSmallestCountOfTheClass() {
    for (long count : new long[] {1, 2, 3, 7, 8, 1000, 32_767}) {
      int c = PrevalenceClass.of(count, 4);
      assertThat(PrevalenceClass.representative(c)).isLessThanOrEqualTo(count);
      assertThat(PrevalenceClass.upperBound(c, 4)).isGreaterThanOrEqualTo(count);
    }
    assertThat(PrevalenceClass.upperBound(15, 4)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void zeroCountHasNoClass() {
    assertThatThrownBy(() -> PrevalenceClass.of(0, 4)).isInstanceOf(IllegalArgumentException.class);
  }
}
