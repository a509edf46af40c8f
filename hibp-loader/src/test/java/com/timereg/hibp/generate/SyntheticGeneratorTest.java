package com.timereg.hibp.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.hibp.Sha1;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticGeneratorTest {
  @Test
  void writesExactlyNRandomHashesPlusThePasswordsInStrictOrder() throws IOException {
    List<KnownPassword> known = List.of(new KnownPassword("password", 42), new KnownPassword("password", 7),
        new KnownPassword("hunter2", 0));
    String[] lines = generate(50_000, known, 1, false).split("\n");
    assertThat(lines).hasSize(50_002);
    for (int i = 1; i < lines.length; i++) {
      assertThat(lines[i].substring(0, 40)).isGreaterThan(lines[i - 1].substring(0, 40));
    }
    assertThat(lines).allMatch(l -> l.matches("[0-9A-F]{40}:[1-9][0-9]*"));
    assertThat(lines).contains(Sha1.toHex(Sha1.ofPassword("password")) + ":42");
    assertThat(lines).anyMatch(l -> l.startsWith(Sha1.toHex(Sha1.ofPassword("hunter2")) + ":"));
  }

  @Test
  void sameSeedSameOutputOtherSeedOtherOutput() throws IOException {
    assertThat(generate(1000, List.of(), 5, false)).isEqualTo(generate(1000, List.of(), 5, false))
        .isNotEqualTo(generate(1000, List.of(), 6, false));
  }

  @Test
  void handlesTinyCountsAndCrlf() throws IOException {
    assertThat(generate(0, List.of(new KnownPassword("a", 1)), 1, true))
        .isEqualTo(Sha1.toHex(Sha1.ofPassword("a")) + ":1\r\n");
    assertThat(generate(3, List.of(), 1, false).split("\n")).hasSize(3);
  }

  @Test
  void countsHaveAHeavyTail() throws IOException {
    String[] lines = generate(100_000, List.of(), 2, false).split("\n");
    long ones = 0;
    long big = 0;
    for (String l : lines) {
      long c = Long.parseLong(l.substring(41));
      ones += c == 1 ? 1 : 0;
      big += c >= 1000 ? 1 : 0;
    }
    // P(count = 1) = 1 - 2^-1.2 = 0.565; P(count >= 1000) = 1000^-1.2 = 0.00025
    assertThat(ones / 100_000.0).isBetween(0.55, 0.58);
    assertThat(big).isBetween(10L, 50L);
  }

  @Test
  void readsPasswordFileLinesWithOptionalTabCount() {
    assertThat(KnownPassword.parse("hunter2\t17043")).isEqualTo(new KnownPassword("hunter2", 17043));
    assertThat(KnownPassword.parse("tab\tinside\tx")).isEqualTo(new KnownPassword("tab\tinside\tx", 0));
    assertThat(KnownPassword.parse("plain")).isEqualTo(new KnownPassword("plain", 0));
  }

  private static String generate(long n, List<KnownPassword> known, long seed, boolean crlf) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new SyntheticGenerator(n, known, seed, crlf).write(out, x -> { });
    return out.toString(StandardCharsets.US_ASCII);
  }
}
