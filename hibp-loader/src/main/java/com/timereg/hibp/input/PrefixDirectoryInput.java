package com.timereg.hibp.input;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.BitSet;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * The downloader's directory: one file per hash prefix, every prefix present. The official layout uses five
 * hex digits (1,048,576 files); shorter prefixes, with fewer and larger files, follow the same rules. Only
 * which names are lower case is kept in memory, so a million files cost 128 KiB.
 */
final class PrefixDirectoryInput implements HibpInput {
  private static final int MAX_PREFIX_DIGITS = 5;

  private final Path dir;
  private final int digits;
  private final BitSet lowerCaseName;
  private final long size;
  private final long maxEntries;

  private PrefixDirectoryInput(Path dir, int digits, BitSet lowerCaseName, long size, long maxEntries) {
    this.dir = dir;
    this.digits = digits;
    this.lowerCaseName = lowerCaseName;
    this.size = size;
    this.maxEntries = maxEntries;
  }

  static PrefixDirectoryInput scan(Path dir) throws IOException {
    int digits = detectDigits(dir);
    int files = 1 << (4 * digits);
    // Shortest line: the suffix, ':', one digit and LF; the last line of a file may lack its line end.
    int shortestLine = 40 - digits + 3;
    BitSet lower = new BitSet(files);
    long size = 0;
    long maxEntries = 0;
    for (int prefix = 0; prefix < files; prefix++) {
      long fileSize;
      try {
        fileSize = attributes(dir.resolve(name(prefix, digits, false))).size();
      } catch (NoSuchFileException upper) {
        try {
          fileSize = attributes(dir.resolve(name(prefix, digits, true))).size();
          lower.set(prefix);
        } catch (NoSuchFileException e) {
          throw new InputFormatException(dir.resolve(name(prefix, digits, false)), 0,
              "missing prefix file (the download is incomplete)");
        }
      }
      size += fileSize;
      maxEntries += fileSize / shortestLine + 1;
    }
    return new PrefixDirectoryInput(dir, digits, lower, size, maxEntries);
  }

  @Override
  public long sizeBytes() {
    return size;
  }

  @Override
  public long maxEntries() {
    return maxEntries;
  }

  @Override
  public String describe() {
    return "directory of " + (1 << (4 * digits)) + " prefix files (" + digits + " hex digits) " + dir;
  }

  @Override
  public void read(EntrySink sink, LongConsumer progress) throws IOException {
    new HashLineReader(sink, progress, digits)
        .read(prefix -> dir.resolve(name(prefix, digits, lowerCaseName.get(prefix))), 1 << (4 * digits));
  }

  private static int detectDigits(Path dir) throws IOException {
    int found = 0;
    for (int d = MAX_PREFIX_DIGITS; d >= 1; d--) {
      if (Files.isRegularFile(dir.resolve(name(0, d, false)))) {
        if (found != 0) {
          throw new InputFormatException(dir, 0, "ambiguous layout: both " + name(0, found, false)
              + " and " + name(0, d, false) + " exist");
        }
        found = d;
      }
    }
    if (found == 0) {
      throw new InputFormatException(dir, 0, "no prefix files found (expected 00000.txt to FFFFF.txt)");
    }
    return found;
  }

  private static String name(int prefix, int digits, boolean lowerCase) {
    String hex = String.format("%0" + digits + "X", prefix);
    return (lowerCase ? hex.toLowerCase(Locale.ROOT) : hex) + ".txt";
  }

  private static BasicFileAttributes attributes(Path file) throws IOException {
    return Files.readAttributes(file, BasicFileAttributes.class);
  }
}
