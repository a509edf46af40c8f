package com.timereg.gateway.accesslog;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log's file ({@code public.access-log} naming a path), written by the log's writer thread and
 * closed by the gateway once that has stopped.
 *
 * <p>A file it creates is readable by its owner and group only: its lines hold client addresses and user
 * names, and the process umask (usually 022) would make it world-readable. An existing file keeps the
 * permissions its owner gave it.
 *
 * <p>Before each write it checks that the path still names the file it has open; when logrotate (or anyone)
 * has moved or deleted it, it opens the path again, creating a new file. So rotation needs neither a signal
 * nor {@code copytruncate} (which loses the lines written between its copy and its truncation), and lines
 * never go on for ever into a moved file that is then compressed or deleted. When the path cannot be opened
 * (its directory gone or unwritable), the write fails, the writer drops and counts the batch, and the next
 * batch tries again.
 */
public final class AccessLogFile extends OutputStream {
  private static final Logger LOG = LoggerFactory.getLogger(AccessLogFile.class);
  private static final String PERMISSIONS = "rw-r-----";

  private final Path path;
  private FileChannel channel;
  /** What the file system calls the open file (device and inode), to see that the path names another. */
  private Object fileKey;
  private boolean closed;

  private AccessLogFile(Path path) {
    this.path = path;
  }

  /** Opens (or creates, with its directories) the file for appending; fails now if it cannot be opened. */
  public static AccessLogFile open(Path path) throws IOException {
    AccessLogFile file = new AccessLogFile(path.toAbsolutePath());
    Files.createDirectories(file.path.getParent());
    file.reopen();
    return file;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) throws IOException {
    if (closed) {
      // A writer still going after the gateway stopped must not open the file again and leave it open.
      throw new IOException("access log " + path + " is closed");
    }
    if (channel == null || !Objects.equals(fileKey, currentKey())) {
      if (channel != null) {
        LOG.info("access log {} was moved or deleted (rotated): writing to a new file there", path);
      }
      reopen();
    }
    ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    closed = true;
    release();
  }

  private void release() throws IOException {
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }

  /** The key of the file the path names now, null when there is none. */
  private Object currentKey() throws IOException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private void reopen() throws IOException {
    release();
    Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    FileChannel opened;
    try {
      opened = FileChannel.open(path, options,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(PERMISSIONS)));
    } catch (UnsupportedOperationException e) {
      opened = FileChannel.open(path, options); // not a POSIX file system: its directory's rules must do
    }
    channel = opened;
    // Read after opening: moved in between, the key is another file's (or none), and the next write opens again.
    fileKey = currentKey();
  }
}
