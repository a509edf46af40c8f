package com.timereg.hibp;

import com.timereg.hibp.generate.KnownPassword;
import com.timereg.hibp.generate.SyntheticGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Small inputs in both HIBP layouts, made by the real generator. */
public final class TestInputs {
  private TestInputs() {}

  public static Path generate(Path dir, String name, long n, List<KnownPassword> passwords, long seed)
      throws IOException {
    Path file = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(file)) {
      new SyntheticGenerator(n, passwords, seed, false).write(out, lines -> { });
    }
    return file;
  }

  /**
   * Splits a single ordered file into the downloader's layout with {@code digits}-hex-digit prefixes: CRLF
   * line ends, no final newline, every other file with lower-case hex (and a lower-case name).
   */
  public static Path splitIntoPrefixFiles(Path single, Path dir, int digits) throws IOException {
    Files.createDirectories(dir);
    List<String> lines = Files.readAllLines(single, StandardCharsets.US_ASCII);
    int files = 1 << (4 * digits);
    int next = 0;
    for (int prefix = 0; prefix < files; prefix++) {
      String hexPrefix = String.format("%0" + digits + "X", prefix);
      List<String> own = new ArrayList<>();
      while (next < lines.size() && lines.get(next).startsWith(hexPrefix)) {
        own.add(lines.get(next++).substring(digits));
      }
      boolean lower = prefix % 2 == 1;
      String body = String.join("\r\n", own);
      String name = hexPrefix + ".txt";
      if (lower) {
        body = body.toLowerCase(Locale.ROOT);
        name = name.toLowerCase(Locale.ROOT);
      }
      Files.writeString(dir.resolve(name), body, StandardCharsets.US_ASCII);
    }
    if (next != lines.size()) {
      throw new IllegalStateException("input not sorted by prefix");
    }
    return dir;
  }

  public static byte[] sha1(String password) {
    return Sha1.ofPassword(password);
  }
}
