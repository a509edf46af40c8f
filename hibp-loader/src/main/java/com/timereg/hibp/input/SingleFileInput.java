package com.timereg.hibp.input;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/** The single ordered file: {@code SHA1HEX:COUNT} per line. */
final class SingleFileInput implements HibpInput {
  /** 40 hex digits, ':', one digit and LF. */
  private static final int SHORTEST_LINE = 43;

  private final Path file;
  private final long size;
  private final boolean directIo;

  SingleFileInput(Path file, long size, boolean directIo) {
    this.file = file;
    this.size = size;
    this.directIo = directIo;
  }

  @Override
  public Path path() {
    return file;
  }

  @Override
  public long sizeBytes() {
    return size;
  }

  @Override
  public long maxEntries() {
    // The last line may lack its line end.
    return (size + 1) / SHORTEST_LINE;
  }

  @Override
  public String describe() {
    return "single ordered file " + file + (directIo ? ", read with O_DIRECT where allowed" : "");
  }

  @Override
  public boolean contains(Path path) throws IOException {
    return Files.exists(path) && Files.isSameFile(file, path);
  }

  @Override
  public <B extends EntryBatch> void read(BatchSink<B> sink, LongConsumer progress) throws IOException {
    new HashLineReader<>(sink, progress, 0, directIo).read(i -> file, 1);
  }
}
