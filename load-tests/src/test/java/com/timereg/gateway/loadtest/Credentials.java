package com.timereg.gateway.loadtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The accounts virtual users log in with: {@code -Dcredentials=FILE}, or the two demo users of
 * {@code bin/gateway --dev} (their passwords are public, see README.md).
 *
 * <p>The file has one {@code username,password} per line; the first comma separates them, so a
 * password may contain commas, and it is everything after that comma, spaces included (only the
 * line break is dropped, {@code \n} or {@code \r\n}). Blank lines, lines starting with {@code #} and a header line
 * {@code username,password} (the first line that is neither) are skipped; another header there ({@code email,password})
 * stops the run. Keep such a file out of the repository.
 */
final class Credentials {
  static final String PROPERTY = "credentials";
  private static final String BYTE_ORDER_MARK = "\uFEFF";

  static final List<Map<String, Object>> DEMO_USERS = List.of(
      Map.of("username", "alice@demo.test", "password", "alice-demo-Tidsreg-2026"),
      Map.of("username", "bob@demo.test", "password", "bob-demo-Tidsreg-2026"));

  private Credentials() {}

  /** Feeder records with {@code username} and {@code password}. */
  static List<Map<String, Object>> load() {
    String file = Params.string(PROPERTY, "");
    return file.isEmpty() ? DEMO_USERS : read(Path.of(file));
  }

  static List<Map<String, Object>> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the credentials file " + file, e);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    boolean seenLine = false;
    for (int i = 0; i < lines.size(); i++) {
      String raw = lines.get(i);
      if (i == 0 && raw.startsWith(BYTE_ORDER_MARK)) {
        // Spreadsheets save "CSV UTF-8" with one; it would hide the header and join the first name.
        raw = raw.substring(1);
      }
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      // The header may follow comments or blank lines: it is the first line that is neither.
      boolean first = !seenLine;
      seenLine = true;
      if (first && line.equalsIgnoreCase("username,password")) {
        continue;
      }
      if (first && line.toLowerCase(java.util.Locale.ROOT).matches("[a-z_ -]+,(password|passwd|pwd|pass)")) {
        // Another header (email,password; login,pwd): as an account it would fail every login, and a real
        // gateway would block the generator for it. Named (it holds no password), not guessed at.
        throw new IllegalArgumentException(file + " line " + (i + 1) + " looks like a header ('" + line
            + "'): the header must be username,password, or remove it");
      }
      int comma = raw.indexOf(',');
      String username = comma < 0 ? "" : raw.substring(0, comma).strip();
      // The password exactly as written: spaces at its ends are part of it, and cutting them
      // would fail every login of the account (and get a real gateway to block the generator).
      String password = comma < 0 ? "" : raw.substring(comma + 1);
      if (username.isEmpty() || password.isEmpty()) {
        // The line number only: the line itself holds a password.
        throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected username,password");
      }
      out.add(Map.of("username", username, "password", password));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(file + " holds no username,password lines");
    }
    return out;
  }
}
