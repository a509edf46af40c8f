package com.timereg.hibp.build;

import com.timereg.hibp.EncodedSlice;
import com.timereg.hibp.ExitCleanup;
import com.timereg.hibp.HibpSetHeader;
import com.timereg.hibp.HibpSetParameters;
import com.timereg.hibp.HibpSetWriter;
import com.timereg.hibp.input.BatchSink;
import com.timereg.hibp.input.EntryBatch;
import com.timereg.hibp.input.HibpInput;
import com.timereg.hibp.input.InputFormatException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Builds a set from a HIBP download and puts it in place atomically: everything is written to a temporary
 * file in the target's directory, which is renamed over the target only once complete and forced to disk.
 * A running gateway that has the old set mapped keeps reading it until it reopens the path.
 */
public final class SetBuilder {
  /** Linux's limit on links followed in one path lookup (MAXSYMLINKS). */
  private static final int MAX_LINKS = 40;
  /** The sticky bit and write permission for others (S_ISVTX | S_IWOTH): a directory like /tmp. */
  private static final int STICKY_AND_WRITABLE_BY_OTHERS = 01002;

  private SetBuilder() {}

  /** An encoded slice as the input's batch (the format package knows nothing of the input's types). */
  private record SliceBatch(EncodedSlice slice) implements EntryBatch {
    @Override
    public void add(long hi, long lo, long count) {
      slice.add(hi, lo, count);
    }

    @Override
    public void addAll(long[] triples, int from, int n) {
      slice.addAll(triples, from, n);
    }
  }

  /**
   * Builds {@code target} from {@code input}. The set is sized for {@link BuildOptions#expectedEntries()},
   * or the input's upper bound when that is 0; the build fails if the input holds more, since the
   * false-positive rate would then exceed its target. Empty input fails too: an empty set would call every
   * password safe.
   */
  public static HibpSetHeader build(HibpInput input, Path target, BuildOptions options, BuildProgress progress)
      throws IOException {
    Path file = followLinks(target);
    if (Files.isDirectory(target)) {
      // Found now rather than by the rename at the end, after reading the whole download.
      throw new FileSystemException(target.toString(), null, "is a directory; name the set file to write");
    }
    if (input.contains(target) || input.contains(file)) {
      // The rename at the end would put the set in place of the download it was built from.
      throw new FileSystemException(target.toString(), null, "is the input; name another set file to write");
    }
    long sizedFor = options.expectedEntries() > 0 ? options.expectedEntries() : input.maxEntries();
    HibpSetParameters parameters = HibpSetParameters.forMaxEntries(sizedFor, options.maxFalsePositiveRate());
    Path dir = file.getParent();
    // Stopped from outside (Ctrl-C, SIGTERM), the JVM runs no finally block: without this a set-sized hidden
    // file would stay beside the live set, and every interrupted attempt would add one. The hook is in place
    // before the file exists (a stop between the two left it behind).
    Path temp = HibpSetWriter.temporaryName(dir, "." + file.getFileName() + "-");
    ExitCleanup cleanupOnExit = new ExitCleanup("hibp-build-cleanup", () -> ExitCleanup.deleteQuietly(temp));
    try {
      createTemporary(temp, target, cleanupOnExit);
      HibpSetHeader header;
      try (HibpSetWriter writer = HibpSetWriter.create(temp, parameters, options.buildTime())) {
        long[] bytes = {0};
        // Parsing and encoding run on the input's worker threads, a slice each; the encoded slices arrive
        // here in order, where the writer only concatenates their bits.
        input.read(new BatchSink<SliceBatch>() {
          @Override
          public SliceBatch newBatch(int maxEntries) {
            return new SliceBatch(writer.newSlice(maxEntries));
          }

          @Override
          public void accept(SliceBatch batch) throws IOException {
            try {
              writer.append(batch.slice);
            } catch (IOException e) {
              throw writeFailed(target, e);
            }
          }
        }, read -> {
          bytes[0] += read;
          progress.update(bytes[0], input.sizeBytes(), writer.entries());
        });
        try {
          header = writer.finish();
        } catch (IOException e) {
          throw writeFailed(target, e);
        }
      }
      if (header.entryCount() == 0) {
        // Named like every other input problem: "input has no entries" alone did not say which input.
        throw new InputFormatException(input.path(), 0, (Files.isDirectory(input.path())
            ? "its prefix files hold no entries" : "holds no entries") + "; refusing to build an empty set");
      }
      if (header.falsePositiveRate() > options.maxFalsePositiveRate()) {
        throw new IOException(String.format("input has %d entries, more than the %d the set was sized for: "
            + "false-positive rate %.3g exceeds %.3g", header.entryCount(), sizedFor,
            header.falsePositiveRate(), options.maxFalsePositiveRate()));
      }
      putInPlace(temp, file, target);
      return header;
    } finally {
      try {
        Files.deleteIfExists(temp);
      } finally {
        cleanupOnExit.close();
      }
    }
  }

  /**
   * The file {@code target} names through symbolic links (absolute), which is what the rename must replace: renamed
   * over the link itself, the new file took the link's place, and the file it pointed to (the set a gateway reads
   * by its own path, say) stayed the old one although the build reported success. A dangling link names the file
   * to create, as it does for {@code cp}. The links are read here, not followed by the kernel, so its
   * {@code protected_symlinks} rule is applied here: a link in a sticky directory that others may write (/tmp),
   * owned by someone else than the directory, is not followed (planted there, it would have a build run by root
   * replace whatever file it names).
   */
  public static Path followLinks(Path target) throws IOException {
    Path file = target.toAbsolutePath();
    for (int hops = 0; Files.isSymbolicLink(file); hops++) {
      if (hops == MAX_LINKS) {
        throw new FileSystemException(target.toString(), null, "too many levels of symbolic links");
      }
      int dirMode = (Integer) Files.getAttribute(file.getParent(), "unix:mode");
      if ((dirMode & STICKY_AND_WRITABLE_BY_OTHERS) == STICKY_AND_WRITABLE_BY_OTHERS
          && !Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS)
              .equals(Files.getAttribute(file.getParent(), "unix:uid"))) {
        throw new FileSystemException(target.toString(), null, "is a symbolic link, owned by another user than "
            + "its sticky, world-writable directory, so not followed; name the file it points to");
      }
      // Resolved against the link's directory as it stands, not normalized: ".." after a linked directory is
      // the link target's parent, which only the file system knows.
      file = file.getParent().resolve(Files.readSymbolicLink(file));
    }
    return file;
  }

  /**
   * A failure writing the set (a full disk, a quota, an I/O error) names the set asked for, as a read error names
   * its input file: the operating system's bare "No space left on device" says neither where nor what was kept.
   */
  public static FileSystemException writeFailed(Path target, IOException e) {
    String why = e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
        : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    FileSystemException named = new FileSystemException(target.toString(), null, "write failed: " + why);
    named.initCause(e);
    return named;
  }

  /**
   * Puts the complete file {@code temp} in place of {@code file} (in the same directory) for good: gives it
   * {@code file}'s attributes ({@link #takeAttributesOf}), forces its bytes and attributes to disk, renames it over
   * {@code file} ({@code ATOMIC_MOVE}) and forces the directory. Forced only after the rename, the bytes may reach
   * the disk after the rename does: after a power cut the final name then holds an empty or partial file, and the
   * delayed write's error (a quota, an I/O error) is never reported. A failure to force names {@code asked}, the
   * path the user gave, like any other write failure; {@code temp} is then still under its own name.
   */
  public static void putInPlace(Path temp, Path file, Path asked) throws IOException {
    takeAttributesOf(file, temp);
    // Read-only: the mode just given may not let the owner write (r--r--r--), and fsync needs no write access.
    try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(temp,
        java.nio.file.StandardOpenOption.READ)) {
      f.force(true);
    } catch (IOException e) {
      throw writeFailed(asked, e);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    forceDirectory(file.getParent());
  }

  /**
   * Forces the rename itself to disk: the file's bytes were forced before it, but until its directory is, a
   * crash may bring back the set it replaced although the build had reported success.
   */
  static void forceDirectory(Path dir) throws IOException {
    try (java.nio.channels.FileChannel d = java.nio.channels.FileChannel.open(dir,
        java.nio.file.StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  /**
   * Creates the temporary file. The user never named it: a directory that takes no new files (permissions, a
   * read-only file system) is reported for the set they asked for, with the reason.
   */
  private static void createTemporary(Path temp, Path target, ExitCleanup cleanupOnExit) throws IOException {
    try {
      cleanupOnExit.create(() -> Files.newByteChannel(temp, java.nio.file.StandardOpenOption.CREATE_NEW,
          java.nio.file.StandardOpenOption.WRITE).close());
    } catch (FileSystemException e) {
      String why = e.getReason() != null ? e.getReason()
          : e instanceof AccessDeniedException ? "permission denied"
          : e instanceof NoSuchFileException ? "no such file or directory" : e.getClass().getSimpleName();
      throw new FileSystemException(target.toString(), null,
          "cannot create a file in its directory " + temp.getParent() + " (" + why + ")");
    }
  }

  /**
   * Gives {@code file} what {@code target}, the file it is about to replace, has: its permissions
   * ({@link #permissionsFor}) and, where this process may give them, its owner and group. The mode alone is not
   * enough: a set the gateway reads through its group or as its owner ({@code root:gateway rw-r-----}) rebuilt by
   * root would be root's, and the gateway could no longer read it.
   */
  public static void takeAttributesOf(Path target, Path file) throws IOException {
    PosixFileAttributes old;
    try {
      old = Files.readAttributes(target, PosixFileAttributes.class);
    } catch (NoSuchFileException none) {
      old = null;
    }
    if (old != null) {
      PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
      try {
        view.setGroup(old.group());
      } catch (FileSystemException notAllowed) {
        // A group the builder is not in: the file keeps the builder's, as before.
      }
      try {
        view.setOwner(old.owner());
      } catch (FileSystemException notAllowed) {
        // Only root gives files away.
      }
    }
    // After the owner: a change of owner may clear mode bits.
    Files.setPosixFilePermissions(file, permissionsFor(target));
  }

  /**
   * Those of the set being replaced, else readable by all: temporary files are private, but the gateway
   * may run as another user and the set holds nothing secret (public breach data, truncated).
   */
  public static Set<PosixFilePermission> permissionsFor(Path target) throws IOException {
    if (Files.exists(target)) {
      return Files.getPosixFilePermissions(target);
    }
    return PosixFilePermissions.fromString("rw-r--r--");
  }
}
