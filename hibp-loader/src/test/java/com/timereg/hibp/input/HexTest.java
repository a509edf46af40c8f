package com.timereg.hibp.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HexTest {
  @Test
  void parsesEightHexDigitsInEitherCase() {
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 100_000; i++) {
      long value = r.nextLong(1L << 32);
      String hex = String.format("%08x", value);
      if (r.nextBoolean()) {
        hex = hex.toUpperCase();
      }
      assertThat(Hex.parse8(chars(hex))).as(hex).isEqualTo(value);
    }
  }

  @Test
  void rejectsEveryNonHexByteInEveryPosition() {
    for (int b = 0; b < 256; b++) {
      boolean hex = Hex.isHexDigit(b);
      for (int pos = 0; pos < 8; pos++) {
        byte[] bytes = "0aF9b3C1".getBytes(StandardCharsets.US_ASCII);
        bytes[pos] = (byte) b;
        long chars = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(Hex.parse8(chars) >= 0).as("byte %02x at %d", b, pos).isEqualTo(hex);
      }
    }
  }

  @Test
  void orderKeysSortEightHexDigitsByValueInEitherCase() {
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 100_000; i++) {
      long a = r.nextLong(1L << 32);
      long b = r.nextBoolean() ? a : r.nextLong(1L << 32);
      long ka = Hex.orderKey8(chars(mixedCase(String.format("%08x", a), r)));
      long kb = Hex.orderKey8(chars(mixedCase(String.format("%08x", b), r)));
      assertThat(Long.compare(ka, kb)).as("%08x %08x", a, b).isEqualTo(Long.compare(a, b));
      assertThat(ka).isPositive();
      assertThat(Hex.valueOfKey8(ka)).isEqualTo(a);
    }
  }

  @Test
  void parsesOneToSevenDecimalDigitsFollowedByAnything() {
    SplittableRandom r = new SplittableRandom(2);
    for (int n = 1; n <= 7; n++) {
      for (int i = 0; i < 10_000; i++) {
        String digits = Long.toString(r.nextLong((long) Math.pow(10, n)));
        digits = "0".repeat(n - digits.length()) + digits;
        String text = (digits + "\r\nABCDEFGH").substring(0, 8);
        long chars = chars(text);
        int found = Long.numberOfTrailingZeros(~Hex.digitMask(chars) & 0x8080808080808080L) >>> 3;
        assertThat(found).isEqualTo(n);
        assertThat(Hex.parseDigits(chars, n)).as(text).isEqualTo(Long.parseLong(digits));
      }
    }
  }

  private static String mixedCase(String hex, SplittableRandom r) {
    StringBuilder b = new StringBuilder(hex);
    for (int i = 0; i < b.length(); i++) {
      if (r.nextBoolean()) {
        b.setCharAt(i, Character.toUpperCase(b.charAt(i)));
      }
    }
    return b.toString();
  }

  private static long chars(String eight) {
    return ByteBuffer.wrap(eight.getBytes(StandardCharsets.US_ASCII)).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }
}
