package com.timereg.hibp.build;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.hibp.HibpSet;
import com.timereg.hibp.TestInputs;
import com.timereg.hibp.generate.KnownPassword;
import com.timereg.hibp.input.HibpInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BothLayoutsTest {
  @TempDir
  Path dir;

  @Test
  void singleFileAndPrefixDirectoryGiveTheSameSetBytes() throws IOException {
    Path single = TestInputs.generate(dir, "in.txt", 30_000, List.of(new KnownPassword("password", 9_000_000)), 11);
    Path layout = TestInputs.splitIntoPrefixFiles(single, dir.resolve("range"), 3);
    assertThat(Files.readString(layout.resolve("7c5.txt"))).contains("\r\n").doesNotEndWith("\n")
        .isEqualTo(Files.readString(layout.resolve("7c5.txt")).toLowerCase());

    HibpInput fromFile = HibpInput.open(single);
    HibpInput fromDir = HibpInput.open(layout);
    // Size both for the same count so that the parameters, and hence the bytes, can be compared.
    BuildOptions options = new BuildOptions(Instant.parse("2025-01-01T00:00:00Z"), 40_000, 1e-10);
    Path a = dir.resolve("a.hibp");
    Path b = dir.resolve("b.hibp");
    SetBuilder.build(fromFile, a, options, BuildProgress.NONE);
    SetBuilder.build(fromDir, b, options, BuildProgress.NONE);

    assertThat(Files.readAllBytes(b)).isEqualTo(Files.readAllBytes(a));
    try (HibpSet set = HibpSet.open(b)) {
      assertThat(set.entryCount()).isEqualTo(30_001);
      assertThat(set.prevalence(TestInputs.sha1("password"))).isEqualTo(1L << 15);
    }
  }

  @Test
  void sizesTheSetFromTheInputWhenNoCountIsGiven() throws IOException {
    Path single = TestInputs.generate(dir, "in.txt", 10_000, List.of(), 12);
    HibpInput input = HibpInput.open(single);
    assertThat(input.maxEntries()).isBetween(10_000L, 10_500L);
    Path set = dir.resolve("s.hibp");
    SetBuilder.build(input, set, BuildOptions.at(Instant.EPOCH), BuildProgress.NONE);
    try (HibpSet s = HibpSet.open(set)) {
      assertThat(s.header().falsePositiveRate()).isLessThanOrEqualTo(1e-10);
      assertThat((double) Files.size(set) / s.entryCount()).isLessThan(5.0);
    }
  }
}
