package com.timereg.gateway.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The permissions of a private key's file (the TLS keys, the session signing key). Writable by group or others,
 * anyone with that access on the host can replace the key the gateway uses: refused. Readable by others, anyone
 * there can read it: only warned about, since Kubernetes mounts secrets 0644 unless told otherwise. Symbolic
 * links are followed (a Kubernetes secret's file is one), so the mode is the key's, not the link's.
 *
 * <p>The directories count as well: whoever may write a directory can rename the key (or a directory below it)
 * away and put their own in its place, whatever the key file's own mode. A directory writable by others without
 * the sticky bit is refused, as sshd's StrictModes does (with the sticky bit, as in {@code /tmp}, others cannot
 * rename what is not theirs); one writable by a group other than the gateway's is warned about, naming it. The
 * directories looked at are those above the key's real file (links followed) and those above the name
 * configured (a link there can be replaced as well), up to the root.
 *
 * @param permissions the file's POSIX permissions
 */
public record KeyFileMode(Set<PosixFilePermission> permissions) {

  /** The mode of {@code file}; empty on a file system without POSIX permissions, or when it cannot be read. */
  public static Optional<KeyFileMode> of(Path file) {
    try {
      return Optional.of(new KeyFileMode(Files.getPosixFilePermissions(file)));
    } catch (UnsupportedOperationException | IOException e) {
      // Not POSIX (the check is skipped), or gone: whoever reads the file next says what is wrong with it.
      return Optional.empty();
    }
  }

  public boolean writableByGroupOrOthers() {
    return permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE);
  }

  public boolean readableByOthers() {
    return permissions.contains(PosixFilePermission.OTHERS_READ);
  }

  /** Octal, as {@code ls} and {@code chmod} take it: {@code 0644}. */
  public String octal() {
    int bits = 0;
    for (PosixFilePermission p : permissions) {
      bits |= 1 << (8 - p.ordinal());
    }
    return String.format("0%03o", bits);
  }

  /** Why {@code file} must not be used as a key, or empty when its mode is fine (or unknown). */
  public static Optional<String> refusal(Path file) {
    return refusal(file, "key file", "the key");
  }

  /**
   * Why {@code file} must not be used, or empty when its mode is fine (or unknown), for a file that must be kept
   * from others' writes as a key is, though it is no secret: a CA that client certificates are checked against
   * (whoever adds theirs to it can sign themselves in).
   *
   * @param kind what the file is, as the message names it ({@code key file}, {@code client CA file})
   * @param contents what a writer could replace, as the message names it
   */
  public static Optional<String> refusal(Path file, String kind, String contents) {
    Optional<String> own = of(file).filter(KeyFileMode::writableByGroupOrOthers).map(m -> kind + " " + file
        + " is writable by group or others (mode " + m.octal() + "): anyone with that access could replace "
        + contents + "; chmod go-w " + file);
    if (own.isPresent()) {
      return own;
    }
    return directories(file).stream()
        .filter(d -> d.permissions().contains(PosixFilePermission.OTHERS_WRITE) && !d.sticky())
        .findFirst()
        .map(d -> kind + " " + file + " is in directory " + d.path() + ", which others may write (mode " + d.octal()
            + ", no sticky bit): anyone on the host could put their own in its place; chmod o-w " + d.path());
  }

  /**
   * Why the {@code file:} secret at {@code file} (a password, a client secret) must not be read, or empty when its
   * mode is fine (or unknown): as for a key, group or others writing the file, or others writing a directory above it
   * without the sticky bit, since anyone with that access could put their own secret in its place.
   */
  public static Optional<String> secretFileRefusal(Path file) {
    return refusal(file, "secret file", "the secret");
  }

  /**
   * Why the breach set at {@code file} must not be taken, or empty when its mode is fine (or unknown): as for a key,
   * group or others writing the file, or others writing a directory above it without the sticky bit, since anyone
   * with that access could put in a valid set of their own without the breached hashes, and breached passwords
   * would be called safe. Readable by others is fine: the set is public data.
   */
  public static Optional<String> breachSetRefusal(Path file) {
    return refusal(file, "breach set file", "the set with one that leaves breached passwords out");
  }

  /**
   * Why the gateway must not write a file at {@code file} (creating it, and its directories, when missing, and again
   * whenever it is rotated away), or empty when its place is fine (or unknown): a directory above it that others may
   * write without the sticky bit, where anyone on the host can put a link at its name and have the gateway append
   * to any file the gateway may write, or replace what it wrote. The file need not exist yet: then the directories
   * above the nearest one that does count.
   *
   * @param kind what the file is, as the message names it ({@code access log})
   */
  public static Optional<String> placeRefusal(Path file, String kind) {
    Path existing = nearestExisting(file.toAbsolutePath().normalize());
    if (existing == null) {
      return Optional.empty();
    }
    List<Directory> directories;
    try {
      directories = existing.equals(file.toAbsolutePath().normalize()) ? directories(file)
          : directories(existing.toRealPath(), existing);
    } catch (IOException e) {
      return Optional.empty();
    }
    return directories.stream()
        .filter(d -> d.permissions().contains(PosixFilePermission.OTHERS_WRITE) && !d.sticky())
        .findFirst()
        .map(d -> kind + " " + file + " is in directory " + d.path() + ", which others may write (mode " + d.octal()
            + ", no sticky bit): anyone on the host could put a link there and have the gateway write to a file of"
            + " their choosing; chmod o-w " + d.path());
  }

  /**
   * Why the gateway must not keep its state in directory {@code dir} (created when missing), or empty when it is fine
   * (or unknown): it, or a directory above it, others may write without the sticky bit, so anyone on the host could
   * delete or replace what the gateway keeps there. The nearest existing one counts when {@code dir} is still to be
   * made.
   *
   * @param kind what the directory is, as the message names it ({@code data-dir})
   * @param contents what a writer could delete or replace, as the message names it
   */
  public static Optional<String> directoryRefusal(Path dir, String kind, String contents) {
    Path named = dir.toAbsolutePath().normalize();
    Path existing = nearestExisting(named);
    if (existing == null) {
      return Optional.empty();
    }
    List<Directory> directories;
    try {
      directories = directories(existing.toRealPath(), existing);
    } catch (IOException e) {
      return Optional.empty();
    }
    return directories.stream()
        .filter(d -> d.permissions().contains(PosixFilePermission.OTHERS_WRITE) && !d.sticky())
        .findFirst()
        .map(d -> kind + " " + dir + (d.path().equals(named) ? " is a directory" : " is below directory " + d.path()
            + ", which")
            + " others may write (mode " + d.octal() + ", no sticky bit): anyone on the host could delete or replace "
            + contents + "; chmod o-w " + d.path());
  }

  /** {@code path} itself if it exists, else the nearest directory above it that does; null when none does. */
  private static Path nearestExisting(Path path) {
    Path existing = path;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing;
  }

  /** Warnings about {@code file}: others can read it, or a group other than the gateway's may write a directory above it. */
  public static List<String> warnings(Path file) {
    return warnings(file, "key file", "the private key", "key");
  }

  /**
   * As {@link #warnings(Path)}, for a secret of another kind (a password in a file).
   *
   * @param kind what the file is, as the messages name it ({@code secret file})
   * @param contents what others could read, as the message names it ({@code the secret})
   * @param thing what a group could put in its place ({@code secret})
   */
  public static List<String> warnings(Path file, String kind, String contents, String thing) {
    List<String> warnings = new ArrayList<>();
    of(file).filter(KeyFileMode::readableByOthers).ifPresent(m -> warnings.add(kind + " " + file
        + " is readable by others (mode " + m.octal() + "): anyone on the host can read " + contents + "; chmod o-r "
        + file + " (a Kubernetes secret: defaultMode 0440 or 0400)"));
    OptionalInt own = gatewayGroup();
    directories(file).stream()
        .filter(d -> d.permissions().contains(PosixFilePermission.GROUP_WRITE) && !d.sticky())
        .filter(d -> own.isEmpty() || d.gid() != own.getAsInt())
        .forEach(d -> warnings.add(kind + " " + file + " is in directory " + d.path() + ", which group " + d.group()
            + " may write (mode " + d.octal() + "): anyone in it could put their own " + thing + " in its place; chmod g-w "
            + d.path()));
    return warnings;
  }

  /** A directory above a key, with what decides who may replace what is in it. */
  record Directory(Path path, Set<PosixFilePermission> permissions, boolean sticky, String group, int gid) {
    String octal() {
      return (sticky ? "1" : "0") + new KeyFileMode(permissions).octal().substring(1);
    }
  }

  /**
   * The directories above the key's real file and above the name given, each once, nearest first; empty on a file
   * system without POSIX permissions or when the file is gone (whoever reads it next says so).
   */
  static List<Directory> directories(Path file) {
    try {
      return directories(file.toRealPath().getParent(), file.toAbsolutePath().normalize().getParent());
    } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
      return List.of();
    }
  }

  /** The directories {@code real} and {@code named} and those above them, each once, nearest first. */
  private static List<Directory> directories(Path real, Path named) {
    Set<Path> paths = new LinkedHashSet<>();
    try {
      // The name as given, each of its directories a place where a link (or the key) can be swapped, and the real
      // file's. Attributes are read through links: a linked directory's own mode is always 0777 and means nothing.
      for (Path start : new Path[] {real, named}) {
        for (Path p = start; p != null; p = p.getParent()) {
          paths.add(p);
        }
      }
      List<Directory> directories = new ArrayList<>();
      for (Path p : paths) {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class);
        int mode = (Integer) Files.getAttribute(p, "unix:mode");
        int gid = (Integer) Files.getAttribute(p, "unix:gid");
        directories.add(new Directory(p, a.permissions(), (mode & 01000) != 0, a.group().getName(), gid));
      }
      return directories;
    } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
      return List.of();
    }
  }

  /** The gateway's own (primary) group id, where the JDK tells it. */
  private static OptionalInt gatewayGroup() {
    try {
      return OptionalInt.of((int) new com.sun.security.auth.module.UnixSystem().getGid());
    } catch (RuntimeException | LinkageError e) {
      return OptionalInt.empty();
    }
  }
}
