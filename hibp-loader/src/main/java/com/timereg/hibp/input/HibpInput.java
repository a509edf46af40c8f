package com.timereg.hibp.input;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * A HIBP Pwned Passwords download: either one file of {@code SHA1HEX:COUNT} lines sorted by hash, or the
 * official downloader's directory of range files named by hash prefix ({@code 00000.txt} ...
 * {@code FFFFF.txt}) holding {@code SUFFIX:COUNT} lines.
 */
public interface HibpInput {
  /** Detects the layout. A directory is checked for completeness here, before any entry is read. */
  static HibpInput open(Path path) throws IOException {
    return open(path, false);
  }

  /**
   * Like {@link #open(Path)}; with {@code directIo} a single file is read past the page cache
   * ({@code O_DIRECT}) where its file system allows: less system time, and the cache keeps what it held
   * rather than filling with the download. A directory of prefix files is always read through the cache.
   */
  static HibpInput open(Path path, boolean directIo) throws IOException {
    if (Files.isDirectory(path)) {
      return PrefixDirectoryInput.scan(path);
    }
    if (Files.isRegularFile(path)) {
      return new SingleFileInput(path, Files.size(path), directIo);
    }
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString(), null, "no such file or directory");
    }
    throw new IOException(path + ": not a file or directory");
  }

  /** The file or directory read, as given: what an error about the input as a whole names. */
  Path path();

  /** Total bytes of input, for progress. */
  long sizeBytes();

  /**
   * An upper bound on the number of entries, from the size and the shortest possible line: the writer sizes
   * the set for it so the false-positive rate holds before the real count is known.
   */
  long maxEntries();

  /** What was detected, for the user. */
  String describe();

  /**
   * Whether {@code path} names one of the files this input reads (through any link), so that a build does
   * not rename its set over the download it reads.
   */
  boolean contains(Path path) throws IOException;

  /**
   * Streams every entry in ascending order into {@code sink}, reporting bytes read to {@code progress}.
   *
   * @throws InputFormatException on malformed, unsorted, duplicate or truncated input, naming file and line
   */
  default void read(EntrySink sink, LongConsumer progress) throws IOException {
    read(new EntrySinkBatches(sink), progress);
  }

  /**
   * Streams every entry in ascending order into batches of {@code sink}: filled on the parse workers,
   * accepted in order on the calling thread, each once its lines and those before it are known good.
   *
   * @throws InputFormatException on malformed, unsorted, duplicate or truncated input, naming file and line
   */
  <B extends EntryBatch> void read(BatchSink<B> sink, LongConsumer progress) throws IOException;
}
