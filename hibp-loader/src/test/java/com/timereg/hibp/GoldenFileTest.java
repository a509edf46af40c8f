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
 * Pins the file format: the committed set must be what the writer produces today from the committed input,
 * byte for byte, and what the reader understands. A deliberate format change bumps
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
    assertThat(b.getInt(8)).isEqualTo(2);
    assertThat(b.getInt(12)).isEqualTo(256);
    assertThat(b.getLong(16)).isEqualTo(405);
    assertThat(b.getInt(32)).isEqualTo(33);
    assertThat(b.getInt(36)).isEqualTo(4);
    assertThat(b.getInt(40)).as("buckets per block, sized from the input bound").isEqualTo(443);
    assertThat(b.getInt(44)).isEqualTo(128);
    assertThat(b.getLong(48)).isEqualTo(BUILT.toEpochMilli());
    assertThat(b.getLong(56)).isEqualTo(256);
    assertThat(b.getLong(80)).isEqualTo(b.capacity());
  }

  private static Path golden(String name) throws URISyntaxException {
    return Path.of(GoldenFileTest.class.getResource("/golden/" + name).toURI());
  }
}
