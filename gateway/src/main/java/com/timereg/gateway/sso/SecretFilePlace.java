package com.timereg.gateway.sso;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a client secret's file may be read where it is. Whoever may write the file, or rename another in its place
 * in a directory above it, decides the secret the gateway sends (every sign-in of the customer then fails at the
 * provider). The rule (file modes, sticky bits) lives with the key files' in {@code tls}, which this package must
 * not depend on: the gateway hands it in.
 */
@FunctionalInterface
public interface SecretFilePlace {
  /** Why the secret at {@code file} must not be read, or empty when it may (or its mode is unknown). Blocking. */
  Optional<String> refusal(Path file);
}
