package com.timereg.gateway.breach;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * Which file a path names right now: device and inode (the {@code fileKey}), modification time
 * and size. A set renamed over the old one has a new inode even when it has the same size and was
 * written within the same millisecond, which is why this is read with NIO on a worker rather than
 * with Vert.x's asynchronous file properties (they carry neither the inode nor sub-millisecond times).
 * Symbolic links are followed, so re-pointing a link swaps the set too.
 */
record FileIdentity(Object fileKey, FileTime modified, long size) {
  static final FileIdentity MISSING = new FileIdentity(null, FileTime.fromMillis(0), -1);

  /** The identity of the file at {@code path}, or {@link #MISSING}. Blocking: call on a worker. */
  static FileIdentity of(Path path) throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
      return new FileIdentity(a.fileKey(), a.lastModifiedTime(), a.size());
    } catch (NoSuchFileException e) {
      return MISSING;
    }
  }

  boolean missing() {
    return size < 0;
  }

  boolean sameAs(FileIdentity other) {
    return other != null && Objects.equals(fileKey, other.fileKey) && modified.equals(other.modified)
        && size == other.size;
  }
}
