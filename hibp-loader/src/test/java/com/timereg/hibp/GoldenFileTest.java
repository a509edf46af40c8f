package com.timereg.hibp;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.hibp.build.BuildOptions;
import com.timereg.hibp.build.BuildProgress;
import com.timereg.hibp.build.SetBuilder;
import com.timereg.hibp.input.HibpInput;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins the file format: the committed sets must be what the writer produces today from the committed inputs,
 * byte for byte, and what the reader understands. {@code set.hibp} (405 entries, one page) holds known
 * passwords; {@code pages-set.hibp} (2,000 synthetic entries) spans three pages, so it also pins how pages
 * fill and the page table. A deliberate format change bumps
 * {@link HibpSetFormat#VERSION} and regenerates the golden file (see hibp-loader/README.md).
 */
class GoldenFileTest {
  private static final Instant BUILT = Instant.parse("2025-01-01T00:00:00Z");

  @TempDir
  Path dir;

  @Test
  void writerStillProducesTheCommittedSetByteForByte() throws IOException, URISyntaxException {
    Path rebuilt = dir.resolve("set.hibp");
    SetBuilder.build(HibpInput.open(golden("input.txt")), rebuilt, BuildOptions.at(BUILT), BuildProgress.NONE);
    assertThat(Files.readAllBytes(rebuilt)).isEqualTo(Files.readAllBytes(golden("set.hibp")));
  }

  @Test
  void writerStillProducesTheCommittedMultiPageSetByteForByte() throws IOException, URISyntaxException {
    Path rebuilt = dir.resolve("pages-set.hibp");
    SetBuilder.build(HibpInput.open(golden("pages-input.txt")), rebuilt, BuildOptions.at(BUILT),
        BuildProgress.NONE);
    assertThat(Files.readAllBytes(rebuilt)).isEqualTo(Files.readAllBytes(golden("pages-set.hibp")));
  }

  @Test
  void readerFindsEveryEntryOfTheCommittedMultiPageSet() throws IOException, URISyntaxException {
    try (HibpSet set = HibpSet.open(golden("pages-set.hibp"))) {
      set.verify();
      assertThat(set.header().pageCount()).isEqualTo(3);
      for (String line : Files.readAllLines(golden("pages-input.txt"), StandardCharsets.US_ASCII)) {
        long count = Long.parseLong(line.substring(41));
        assertThat(set.prevalence(Sha1.parseHex(line.substring(0, 40))))
            .isEqualTo(PrevalenceClass.representative(PrevalenceClass.of(count, 4)));
      }
    }
  }

  @Test
  void readerReadsTheCommittedSet() throws IOException, URISyntaxException {
    try (HibpSet set = HibpSet.open(golden("set.hibp"))) {
      set.verify();
      assertThat(set.entryCount()).isEqualTo(405);
      assertThat(set.buildTime()).isEqualTo(BUILT);
      assertThat(set.prevalence(Sha1.ofPassword("password"))).isEqualTo(32_768);
      assertThat(set.prevalence(Sha1.ofPassword("123456"))).isEqualTo(32_768);
      assertThat(set.prevalence(Sha1.ofPassword("hunter2"))).isEqualTo(16_384);
      assertThat(set.prevalence(Sha1.ofPassword("letmein"))).isEqualTo(1);
      assertThat(set.prevalence(Sha1.ofPassword("Tr0ub4dor&3"))).isEqualTo(2);
      assertThat(set.prevalence(Sha1.ofPassword("correct horse battery staple"))).isZero();
      for (String line : Files.readAllLines(golden("input.txt"), StandardCharsets.US_ASCII)) {
        long count = Long.parseLong(line.substring(41));
        assertThat(set.prevalence(Sha1.parseHex(line.substring(0, 40))))
            .isEqualTo(PrevalenceClass.representative(PrevalenceClass.of(count, 4)));
      }
    }
  }

  @Test
  void headerFieldsSitWhereTheFormatSays() throws IOException, URISyntaxException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(golden("set.hibp"))).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(new String(b.array(), 0, 8, StandardCharsets.US_ASCII)).isEqualTo("HIBPSET\0");
    assertThat(b.getInt(8)).isEqualTo(3);
    assertThat(b.getInt(12)).isEqualTo(256);
    assertThat(b.getLong(16)).isEqualTo(405);
    assertThat(b.getInt(32)).isEqualTo(33);
    assertThat(b.getInt(36)).isEqualTo(4);
    assertThat(b.getLong(24)).as("buckets, sized from the input bound").isEqualTo(472);
    assertThat(b.getInt(40)).as("page bytes").isEqualTo(4096);
    assertThat(b.getInt(44)).as("group shift").isEqualTo(9);
    assertThat(b.getLong(48)).isEqualTo(BUILT.toEpochMilli());
    assertThat(b.getLong(56)).as("pages").isEqualTo(1);
    assertThat(b.getLong(64)).as("table offset").isEqualTo(8192);
    assertThat(b.getLong(72)).as("overflow offset: one table entry, padded, one anchor, one group")
        .isEqualTo(8216);
    assertThat(b.getLong(80)).isEqualTo(b.capacity());
    assertThat(b.getLong(4096)).as("the page's head: its entry count").isEqualTo(405);
  }

  private static Path golden(String name) throws URISyntaxException {
    return Path.of(GoldenFileTest.class.getResource("/golden/" + name).toURI());
  }
}
