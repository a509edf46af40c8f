package com.timereg.hibp.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.timereg.hibp.TestInputs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad input stops the read with the file and the line named. */
class MalformedInputTest {
  private static final String A = "00000A94C6AF3E2F6F5D7ACB89B8C4C0E1D2F3A4";
  private static final String B = "00001B3F0C7B8DAE19A2F3D4C5B6A7980A1B2C3D";
  private static final String C = "7C4A8D09CA3762AF61E59520943DC26494F8941B";

  @TempDir
  Path dir;

  @Test
  void namesTheLineOfAMalformedLine() throws IOException {
    InputFormatException e = failure(A + ":3\n" + B + " 7\n" + C + ":1\n");
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.getMessage()).contains("single.txt:2:").contains("malformed line");
  }

  @Test
  void namesTheLineWhereOrderBreaks() throws IOException {
    InputFormatException e = failure(A + ":3\n" + C + ":5\n" + B + ":1\n");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.getMessage()).contains(":3: unsorted: hash " + B + " comes after " + C);
  }

  @Test
  void namesTheLineOfADuplicate() throws IOException {
    InputFormatException e = failure(A + ":3\n" + B + ":5\n" + B.toLowerCase() + ":5\n");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.getMessage()).contains("duplicate hash " + B);
  }

  @Test
  void namesTheLineOfAHashOfTheWrongLength() throws IOException {
    InputFormatException e = failure(A + ":3\n" + B.substring(1) + ":5\n");
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.getMessage()).contains("hash has 39 hex digits, expected 40");
    assertThat(failure(A + ":3\n" + B + "0:5\n").getMessage()).contains(":2: hash has 41 hex digits");
  }

  @Test
  void namesTheLineOfAFileCutOffMidHash() throws IOException {
    InputFormatException e = failure(A + ":3\r\n" + B.substring(0, 17));
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.getMessage()).contains("hash has 17 hex digits, expected 40");
  }

  @Test
  void namesTheLineOfABadCount() throws IOException {
    assertThat(failure(A + ":3\n" + B + ":12x\n").getMessage()).contains(":2: bad count '12x'");
    assertThat(failure(A + ":3\n" + B + ":\n").getMessage()).contains(":2: bad count: missing");
    assertThat(failure(A + ":0\n").getMessage()).contains(":1: bad count 0");
    assertThat(failure(A + ":-4\n").getMessage()).contains(":1: bad count '-4'");
    assertThat(failure(A + ":1234567890123456789\n").getMessage()).contains(":1: bad count").contains("too large");
  }

  @Test
  void acceptsLongCountsAndEitherLineEnd() throws IOException {
    List<long[]> got = read(write(A + ":123456789012345678\r\n" + B + ":99999999\n" + C + ":7"));
    assertThat(got).hasSize(3);
    assertThat(got.get(0)[2]).isEqualTo(123456789012345678L);
    assertThat(got.get(1)[2]).isEqualTo(99999999L);
    assertThat(got.get(2)[2]).isEqualTo(7);
  }

  @Test
  void namesAnEmptyLine() throws IOException {
    assertThat(failure(A + ":3\n\n" + B + ":1\n").getMessage()).contains(":2: empty line");
  }

  @Test
  void namesANonHexCharacter() throws IOException {
    String bad = A.substring(0, 10) + "G" + A.substring(11);
    assertThat(failure(bad + ":3\n").getMessage()).contains(":1: malformed line: hash contains 'G'");
  }

  @Test
  void namesAByteOrderMarkAsSuchNotAsAStrangeByteOfTheHash() throws IOException {
    // A list saved by a Windows editor (Notepad's UTF-8 for years): the message says what the three bytes are
    // and what to do, instead of "hash contains byte 0xEF".
    Path file = dir.resolve("single.txt");
    Files.writeString(file, "\uFEFF" + A + ":3\r\n" + B + ":1\r\n", StandardCharsets.UTF_8);
    InputFormatException e = catchThrowableOfType(() -> read(file), InputFormatException.class);
    assertThat(e.line()).isEqualTo(1);
    assertThat(e.getMessage()).contains("single.txt:1: starts with a UTF-8 byte order mark (bytes EF BB BF)")
        .contains("save the file without it").doesNotContain("0xEF");
  }

  @Test
  void aLineLongerThanABufferIsCalledTooLongNotGivenTheBuffersLength() throws IOException {
    // Longer than a read buffer, so no slice holds all of it: the length a slice sees is not the line's.
    InputFormatException e = failure(A + ":3\n" + "A".repeat(5 << 20) + "\n" + B + ":1\n");
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.getMessage()).contains(":2: line longer than 128 bytes").doesNotContain("hex digits");
  }

  @Test
  void countsLinesAcrossBufferRefills() throws IOException {
    Path big = TestInputs.generate(dir, "big.txt", 200_000, List.of(), 3);
    List<String> lines = new ArrayList<>(Files.readAllLines(big));
    lines.set(150_000, lines.get(150_000).replace(':', ';'));
    Files.write(big, lines);
    InputFormatException e = catchThrowableOfType(() -> read(big), InputFormatException.class);
    assertThat(e.line()).isEqualTo(150_001);
  }

  @Test
  void namesAMissingPrefixFile() throws IOException {
    Path single = TestInputs.generate(dir, "in.txt", 2000, List.of(), 1);
    Path layout = TestInputs.splitIntoPrefixFiles(single, dir.resolve("range"), 3);
    Files.delete(layout.resolve("A2C.txt"));
    InputFormatException e = catchThrowableOfType(() -> HibpInput.open(layout), InputFormatException.class);
    assertThat(e.file()).isEqualTo(layout.resolve("A2C.txt"));
    assertThat(e.getMessage()).contains("A2C.txt: missing prefix file");
  }

  @Test
  void refusesAnEmptyPrefixFileOfTheFiveDigitLayoutAsAFailedDownload() throws IOException {
    Path layout = dir.resolve("range");
    Files.createDirectories(layout);
    Files.writeString(layout.resolve("00000.txt"), "0005AD76BD555C1D6D771DE417A4B87E4B4:10\r\n");
    Files.writeString(layout.resolve("00001.txt"), "");
    InputFormatException e = catchThrowableOfType(() -> HibpInput.open(layout), InputFormatException.class);
    assertThat(e.file()).isEqualTo(layout.resolve("00001.txt"));
    assertThat(e.getMessage()).contains("00001.txt: empty prefix file").contains("download the range again");
  }

  @Test
  void readsAnEmptyPrefixFileOfAShortLayoutAsARangeWithoutHashes() throws IOException {
    Path layout = dir.resolve("range");
    Files.createDirectories(layout);
    for (int p = 0; p < 16; p++) {
      Files.writeString(layout.resolve(String.format("%X.txt", p)), p == 3 ? "3".repeat(39) + ":2\n" : "");
    }
    assertThat(HibpInput.open(layout).maxEntries()).isPositive();
  }

  @Test
  void namesFileAndLineOfABadSuffixInAPrefixFile() throws IOException {
    Path single = TestInputs.generate(dir, "in.txt", 2000, List.of(), 1);
    Path layout = TestInputs.splitIntoPrefixFiles(single, dir.resolve("range"), 2);
    Path file = layout.resolve("F0.txt");
    String[] lines = Files.readString(file).split("\r\n");
    lines[1] = lines[1].substring(1);
    Files.writeString(file, String.join("\r\n", lines));
    InputFormatException e = catchThrowableOfType(() -> read(layout), InputFormatException.class);
    assertThat(e.file()).isEqualTo(file);
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.getMessage()).contains("hash has 37 hex digits, expected 38");
  }

  @Test
  void namesTheLineWhereAPrefixFileGoesOutOfOrder() throws IOException {
    Path layout = dir.resolve("range");
    Files.createDirectories(layout);
    for (int p = 0; p < 16; p++) {
      Files.writeString(layout.resolve(String.format("%X.txt", p)), "");
    }
    Files.writeString(layout.resolve("2.txt"), "1".repeat(39) + ":1\r\n" + "3".repeat(39) + ":1\r\n"
        + "2".repeat(39) + ":1");
    InputFormatException e = catchThrowableOfType(() -> read(layout), InputFormatException.class);
    assertThat(e.file()).isEqualTo(layout.resolve("2.txt"));
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.getMessage()).contains("unsorted: hash 2" + "2".repeat(39));
  }

  @Test
  void namesAPrefixFileWhoseNameMixesCaseInsteadOfCallingItMissing() throws IOException {
    Path single = TestInputs.generate(dir, "in.txt", 2000, List.of(), 1);
    Path layout = TestInputs.splitIntoPrefixFiles(single, dir.resolve("range"), 2);
    Path mixed = layout.resolve("aC.txt");
    Files.move(layout.resolve("AC.txt"), mixed);
    InputFormatException e = catchThrowableOfType(() -> HibpInput.open(layout), InputFormatException.class);
    assertThat(e.file()).isEqualTo(mixed);
    assertThat(e.getMessage()).contains("aC.txt: name mixes upper and lower case (expected AC.txt or ac.txt)")
        .doesNotContain("missing");
  }

  @Test
  void refusesADirectoryWithoutPrefixFiles() throws IOException {
    Files.writeString(dir.resolve("readme.txt"), "x");
    InputFormatException e = catchThrowableOfType(() -> HibpInput.open(dir), InputFormatException.class);
    assertThat(e.getMessage()).contains("no prefix files found");
  }

  private InputFormatException failure(String content) throws IOException {
    Path file = write(content);
    return catchThrowableOfType(() -> read(file), InputFormatException.class);
  }

  private Path write(String content) throws IOException {
    Path file = dir.resolve("single.txt");
    Files.writeString(file, content, StandardCharsets.US_ASCII);
    return file;
  }

  private static List<long[]> read(Path path) throws IOException {
    List<long[]> out = new ArrayList<>();
    HibpInput.open(path).read((hi, lo, count) -> out.add(new long[] {hi, lo, count}), bytes -> { });
    return out;
  }
}
