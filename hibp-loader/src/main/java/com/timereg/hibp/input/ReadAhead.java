package com.timereg.hibp.input;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Reads a sequence of files, in order, on a background thread into a few large buffers, so the disk works
 * while the parser works: a real download (40-80 GB) does not fit the page cache and is read from disk.
 * Small files share a buffer (the downloader's layout has a million of them); a large file spans buffers.
 * Each buffer keeps {@link #HEADROOM} free bytes in front, where the parser puts the unfinished end of the
 * previous buffer's last line.
 *
 * <p>With direct I/O a single file is read with {@code O_DIRECT}, past the page cache: the disk's data
 * lands in the buffer without a copy or the system time of caching it, and the cache keeps what it held (a running
 * gateway's set, say) instead of filling with a download it will never see again. Buffers and reads are
 * aligned to 4 KiB for it; a file system that refuses it is read through the cache.
 */
final class ReadAhead implements AutoCloseable {
  /** One 4 KiB block, so that reads start aligned for {@code O_DIRECT}; a carried line needs under 128 bytes. */
  static final int HEADROOM = 4096;
  private static final int ALIGNMENT = 4096;
  static final int BUFFER_BYTES = 4 << 20;
  // Eight rather than four: measured cold at 10^8 lines, 4.6-4.8 s against 5.4-5.5 s (more read-ahead slack
  // while a buffer waits for the writer), the same warm.
  private static final int BUFFERS = 8;
  static final int MAX_SEGMENTS = 4096;
  /** A buffer with less free space than this goes to the parser rather than start another file. */
  private static final int MIN_READ = 64 << 10;

  /** A buffer and the pieces of files in it. */
  static final class Chunk {
    final ByteBuffer buf;
    final int[] file = new int[MAX_SEGMENTS];
    final int[] start = new int[MAX_SEGMENTS];
    final int[] end = new int[MAX_SEGMENTS];
    final boolean[] fileEnd = new boolean[MAX_SEGMENTS];
    int segments;
    long bytes;

    Chunk(int capacity) {
      buf = ByteBuffer.allocateDirect(capacity + ALIGNMENT).alignedSlice(ALIGNMENT).slice(0, capacity)
          .order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  private static final Chunk END = new Chunk(0);

  private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(BUFFERS + 1);
  private final BlockingQueue<Chunk> free = new ArrayBlockingQueue<>(BUFFERS);
  private final IntFunction<Path> files;
  private final int fileCount;
  private final boolean direct;
  private final Thread thread;
  private volatile boolean closed;
  /** Whether the file being read was opened with O_DIRECT; the reader thread's own. */
  private boolean openedDirect;
  private volatile IOException failure;

  /** @param direct read with {@code O_DIRECT} if there is one file and its file system allows it */
  ReadAhead(IntFunction<Path> files, int fileCount, boolean direct) {
    this.files = files;
    this.fileCount = fileCount;
    this.direct = direct && fileCount == 1;
    for (int i = 0; i < BUFFERS; i++) {
      free.add(new Chunk(BUFFER_BYTES));
    }
    thread = new Thread(this::readAll, "hibp-read");
    thread.setDaemon(true);
    thread.start();
  }

  /** The next filled chunk, or null after the last file; rethrows a read failure. */
  Chunk next() throws IOException {
    Chunk c;
    try {
      c = full.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("read interrupted");
    }
    if (c == END) {
      full.add(END);
      if (failure != null) {
        throw failure;
      }
      return null;
    }
    return c;
  }

  void release(Chunk c) {
    c.segments = 0;
    c.bytes = 0;
    free.add(c);
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void readAll() {
    try {
      Chunk c = takeFree();
      c.buf.clear().position(HEADROOM);
      for (int f = 0; f < fileCount && !closed; f++) {
        Path path = files.apply(f);
        try (FileChannel ch = open(path)) {
          boolean aligned = openedDirect;
          boolean eof = false;
          while (!eof) {
            if (c.buf.remaining() < MIN_READ || c.segments == MAX_SEGMENTS) {
              full.put(c);
              c = takeFree();
              c.buf.clear().position(HEADROOM);
            }
            int from = c.buf.position();
            eof = fill(ch, c.buf, aligned);
            int seg = c.segments++;
            c.file[seg] = f;
            c.start[seg] = from;
            c.end[seg] = c.buf.position();
            c.fileEnd[seg] = eof;
            c.bytes += c.buf.position() - from;
          }
        } catch (NoSuchFileException e) {
          throw new InputFormatException(path, 0, "file disappeared during the build");
        } catch (IOException e) {
          // A read error (EIO from a failing disk, say) says only "Input/output error": name the file, which
          // may be one of a million.
          if (e instanceof FileSystemException || closed) {
            throw e;
          }
          throw new IOException(path + ": read failed: " + (e.getMessage() != null ? e.getMessage() : e), e);
        }
      }
      full.put(c);
    } catch (IOException e) {
      failure = closed ? null : e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      handOverEnd();
    }
  }

  /** The file, with {@code O_DIRECT} when asked for and allowed. */
  private FileChannel open(Path path) throws IOException {
    openedDirect = false;
    if (direct) {
      try {
        FileChannel ch = FileChannel.open(path, new OpenOption[] {StandardOpenOption.READ,
            ExtendedOpenOption.DIRECT});
        openedDirect = true;
        return ch;
      } catch (NoSuchFileException e) {
        throw e;
      } catch (UnsupportedOperationException | IOException e) {
        // Some file systems refuse O_DIRECT (EINVAL: older tmpfs, some network file systems); the page cache
        // still works.
      }
    }
    return FileChannel.open(path, StandardOpenOption.READ);
  }

  /** Reads until the buffer is full or the file ends; returns whether it ended. */
  private static boolean fill(FileChannel ch, ByteBuffer buf, boolean aligned) throws IOException {
    while (buf.hasRemaining()) {
      int wanted = buf.remaining();
      int n = ch.read(buf);
      if (n < 0) {
        return true;
      }
      if (aligned && n < wanted) {
        // O_DIRECT reads whole blocks, so a short read is the end of the file, and the channel would refuse
        // another read at the now unaligned position.
        if (ch.position() < ch.size()) {
          throw new IOException("short read at byte " + ch.position() + " with O_DIRECT");
        }
        return true;
      }
    }
    // A file that ends exactly at the buffer's end is noticed with the next read, as an empty segment.
    return false;
  }

  private Chunk takeFree() throws InterruptedException {
    Chunk c;
    while ((c = free.poll(100, TimeUnit.MILLISECONDS)) == null) {
      if (closed) {
        throw new InterruptedException("closed");
      }
    }
    return c;
  }

  private void handOverEnd() {
    try {
      while (!full.offer(END, 100, TimeUnit.MILLISECONDS)) {
        if (closed) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
