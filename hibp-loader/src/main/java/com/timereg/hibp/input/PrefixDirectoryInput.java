package com.timereg.hibp.input;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.BitSet;
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
    BitSet present = new BitSet(files);
    BitSet lower = new BitSet(files);
    // One pass over the listing finds which names exist without an exception per lower-case name.
    try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir)) {
      for (Path p : listing) {
        String name = p.getFileName().toString();
        int prefix = parsePrefix(name, digits);
        if (prefix < 0) {
          continue;
        }
        String upperName = name(prefix, digits, false);
        String lowerName = name(prefix, digits, true);
        if (!name.equals(upperName) && !name.equals(lowerName)) {
          // Skipped, the file would be called missing by its upper-case name: a name that is not there.
          throw new InputFormatException(p, 0, "name mixes upper and lower case (expected " + upperName + " or "
              + lowerName + ")");
        }
        if (present.get(prefix)) {
          throw new InputFormatException(p, 0, "another file has the same prefix in the other case");
        }
        if (!name.equals(upperName)) {
          lower.set(prefix);
        }
        present.set(prefix);
      }
    }
    // Shortest line: the suffix, ':', one digit and LF; the last line of a file may lack its line end.
    int shortestLine = 40 - digits + 3;
    long size = 0;
    long maxEntries = 0;
    for (int prefix = 0; prefix < files; prefix++) {
      if (!present.get(prefix)) {
        throw new InputFormatException(dir.resolve(name(prefix, digits, false)), 0,
            "missing prefix file (the download is incomplete)");
      }
      Path file = dir.resolve(name(prefix, digits, lower.get(prefix)));
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      if (!attributes.isRegularFile()) {
        throw new InputFormatException(file, 0, "not a regular file");
      }
      long fileSize = attributes.size();
      if (fileSize == 0 && digits == MAX_PREFIX_DIGITS) {
        // Every range of the official layout holds hundreds of hashes: an empty file is a download that failed, and
        // reading it as a range without hashes would let every breached password of the range through.
        throw new InputFormatException(file, 0, "empty prefix file: every range of the five-digit layout holds "
            + "hashes, so its download failed (download the range again)");
      }
      size += fileSize;
      maxEntries += (fileSize + 1) / shortestLine;
    }
    return new PrefixDirectoryInput(dir, digits, lower, size, maxEntries);
  }

  /** The prefix a file name like {@code 0A3F1.txt} stands for, or -1 for any other name. */
  private static int parsePrefix(String name, int digits) {
    if (name.length() != digits + 4 || !name.endsWith(".txt")) {
      return -1;
    }
    int prefix = 0;
    for (int i = 0; i < digits; i++) {
      char c = name.charAt(i);
      if (!Hex.isHexDigit(c)) {
        return -1;
      }
      int d = Character.digit(c, 16);
      prefix = prefix << 4 | d;
    }
    return prefix;
  }

  @Override
  public Path path() {
    return dir;
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
  public boolean contains(Path path) throws IOException {
    // A prefix file's name in either case: one that does not exist yet would make the download ambiguous.
    Path parent = path.toAbsolutePath().getParent();
    return parent != null && parsePrefix(path.getFileName().toString(), digits) >= 0 && Files.isDirectory(parent)
        && Files.isSameFile(dir, parent);
  }

  @Override
  public <B extends EntryBatch> void read(BatchSink<B> sink, LongConsumer progress) throws IOException {
    new HashLineReader<>(sink, progress, digits, false)
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
    char[] name = new char[digits + 4];
    for (int i = digits - 1, p = prefix; i >= 0; i--, p >>>= 4) {
      char c = Character.forDigit(p & 15, 16);
      name[i] = lowerCase ? c : Character.toUpperCase(c);
    }
    ".txt".getChars(0, 4, name, digits);
    return new String(name);
  }
}
