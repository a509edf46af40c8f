package com.timereg.gateway.breach;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a set file may be taken where it is. Whoever may write the file, or rename another in its place in a
 * directory above it, can put in a valid set of their own without the breached hashes, and every breached password
 * would then be called safe. The rule (file modes, sticky bits) lives with the key files' in {@code tls}, which this
 * package must not depend on: the gateway hands it in.
 */
@FunctionalInterface
public interface SetFilePlace {
  /** Why the set at {@code file} must not be taken, or empty when it may (or its mode is unknown). Blocking. */
  Optional<String> refusal(Path file);
}
