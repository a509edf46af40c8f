package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationInputTest {
  @Test
  void acceptsUnitsCombinationsAndIso8601() {
    assertThat(DurationInput.parse("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(DurationInput.parse("15m")).isEqualTo(Duration.ofMinutes(15));
    assertThat(DurationInput.parse(" 2h ")).isEqualTo(Duration.ofHours(2));
    assertThat(DurationInput.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(DurationInput.parse("1w")).isEqualTo(Duration.ofDays(7));
    assertThat(DurationInput.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(DurationInput.parse("1H 30M")).isEqualTo(Duration.ofMinutes(90));
    assertThat(DurationInput.parse("PT15M")).isEqualTo(Duration.ofMinutes(15));
    assertThat(DurationInput.parse("p1d")).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void negativeIsParsedSoTheRuleCanSaySoPlainly() {
    assertThat(DurationInput.parse("-15m")).isEqualTo(Duration.ofMinutes(-15));
    assertThat(DurationInput.parse("-PT1H")).isEqualTo(Duration.ofHours(-1));
    // Two minus signs do not cancel out into a block of five minutes.
    assertThat(DurationInput.parse("-PT-5M")).isEqualTo(Duration.ofMinutes(-5));
    assertThat(DurationInput.parse("PT-5M")).isEqualTo(Duration.ofMinutes(-5));
  }

  @Test
  void refusesWhatItCannotReadWithTheAcceptedForms() {
    for (String bad : new String[] {"soon", "15", "15 minutes", "m15", "1.5h", "PTXM", "99999999999999d", "1h-5m"}) {
      assertThatThrownBy(() -> DurationInput.parse(bad)).as(bad)
          .isInstanceOf(ApiResponses.BadRequest.class).hasMessageContaining("not understood").hasMessageContaining("15m");
    }
    assertThatThrownBy(() -> DurationInput.parse(" ")).hasMessageContaining("duration is required");
    assertThatThrownBy(() -> DurationInput.parse(null)).hasMessageContaining("duration is required");
  }

  @Test
  void absurdButReadableDurationsAreLeftToTheBlockRulesToBound() {
    assertThat(DurationInput.parse("999999999w")).isEqualTo(Duration.ofDays(6_999_999_993L));
  }

  @Test
  void theMostNegativeIsoDurationStaysNegativeInsteadOfOverflowing() {
    // "-" before a negative ISO duration: abs() of Long.MIN_VALUE seconds overflowed into a 500.
    assertThat(DurationInput.parse("-PT-9223372036854775808S")).isNegative();
    assertThat(DurationInput.parse("-pt-2562047788015215h-30m-8s")).isNegative();
    assertThat(DurationInput.parse("-PT-5M")).isEqualTo(Duration.ofMinutes(-5));
  }

  @Test
  void zeroWithoutAUnitIsZeroSoTheRuleCanSayItMustBePositive() {
    assertThat(DurationInput.parse("0")).isZero();
    assertThat(DurationInput.parse(" 00 ")).isZero();
    assertThat(DurationInput.parse("-0")).isZero();
    // Another bare number still needs its unit: 15 minutes or 15 days?
    assertThatThrownBy(() -> DurationInput.parse("15")).hasMessageContaining("not understood");
  }
}
