package com.timereg.gateway.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

/**
 * The permissions of a private key's file (the TLS keys, the session signing key). Writable by group or others,
 * anyone with that access on the host can replace the key the gateway uses: refused. Readable by others, anyone
 * there can read it: only warned about, since Kubernetes mounts secrets 0644 unless told otherwise. Symbolic
 * links are followed (a Kubernetes secret's file is one), so the mode is the key's, not the link's.
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
    return of(file).filter(KeyFileMode::writableByGroupOrOthers).map(m -> "key file " + file + " is writable by "
        + "group or others (mode " + m.octal() + "): anyone with that access could replace the key; chmod go-w "
        + file);
  }

  /** A warning about {@code file} when others can read it, or empty. */
  public static Optional<String> warning(Path file) {
    return of(file).filter(KeyFileMode::readableByOthers).map(m -> "key file " + file + " is readable by others (mode "
        + m.octal() + "): anyone on the host can read the private key; chmod o-r " + file
        + " (a Kubernetes secret: defaultMode 0440 or 0400)");
  }
}
