package com.timereg.gateway.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A secret value (database password, signing key, client secret). Its toString never reveals the
 * value, so a secret can sit in a record that gets logged. The committed file may only hold a
 * reference ({@code env:NAME} or {@code file:PATH}); a literal comes only from an environment override.
 */
public final class Secret {
  /** Far more than any key or password: a PEM chain of a few certificates is under 16 KiB. */
  static final long MAX_FILE_BYTES = 1024 * 1024;

  private final String value;
  private final String origin;

  private Secret(String value, String origin) {
    this.value = value;
    this.origin = origin;
  }

  public static Secret of(String value, String origin) {
    return new Secret(value, origin);
  }

  /** The secret itself: call only where it is used, never to log. */
  public String reveal() {
    return value;
  }

  /** Where the secret came from, safe to log (e.g. "env:GATEWAY_DB_PASSWORD"). */
  public String origin() {
    return origin;
  }

  /**
   * Resolves a reference. Returns empty with {@code problem[0]} set when the reference cannot be
   * resolved; the caller records the problem against its key.
   */
  static Optional<Secret> resolve(String reference, java.util.function.Function<String, String> env, String[] problem) {
    if (reference.startsWith("env:")) {
      String name = reference.substring(4);
      String v = env.apply(name);
      if (v == null || v.isBlank()) {
        // Set but empty is most often a template's or a secret store's missing value: say so, not "not set".
        // Whitespace alone is no password and no key (32 spaces pass HS256's length check), so it is refused too.
        problem[0] = "environment variable " + name + (v == null ? " is not set"
            : v.isEmpty() ? " is set but empty" : " holds only whitespace, no secret");
        return Optional.empty();
      }
      return Optional.of(new Secret(v, reference));
    }
    if (reference.startsWith("file:")) {
      Path path;
      try {
        path = Path.of(reference.substring(5));
      } catch (java.nio.file.InvalidPathException e) {
        problem[0] = "not a usable path in the file: reference (" + e.getReason() + ")";
        return Optional.empty();
      }
      try {
        // A secret is a line or a PEM block. A device, a FIFO or a huge file named by mistake (file:/dev/zero,
        // file:/dev/stdin) would otherwise be read until memory runs out, or block the start for ever.
        if (!Files.isRegularFile(path)) {
          problem[0] = Files.exists(path) ? "secret file " + path + " is not a regular file"
              : "cannot read secret file " + path + " (NoSuchFileException)";
          return Optional.empty();
        }
        if (Files.size(path) > MAX_FILE_BYTES) {
          problem[0] = "secret file " + path + " is larger than " + MAX_FILE_BYTES / 1024 + " KiB: not a secret";
          return Optional.empty();
        }
        // Strip one trailing newline: files written by `echo` or editors end with one. And a leading byte-order mark,
        // which Windows editors write: kept, it became the password's first character, and every login to the
        // database failed with "password authentication failed" without a hint why.
        String v = Files.readString(path, StandardCharsets.UTF_8).replaceFirst("^\uFEFF", "")
            .replaceFirst("\\r?\\n$", "");
        if (v.isBlank()) {
          // A file holding a blank line or spaces (a template rendered without its value) is no secret either.
          problem[0] = "secret file " + path + (v.isEmpty() ? " is empty" : " holds only whitespace, no secret");
          return Optional.empty();
        }
        return Optional.of(new Secret(v, reference));
      } catch (IOException e) {
        problem[0] = "cannot read secret file " + path + " (" + e.getClass().getSimpleName() + ")";
        return Optional.empty();
      }
    }
    problem[0] = "secrets must be a reference 'env:NAME' or 'file:PATH', not a literal in the configuration file";
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "****(" + origin + ")";
  }
}
