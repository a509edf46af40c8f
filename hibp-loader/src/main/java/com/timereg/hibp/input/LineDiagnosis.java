package com.timereg.hibp.input;

/** Says what is wrong with a line the fast parser rejected; off the hot path, so plain string handling. */
final class LineDiagnosis {
  private static final int MAX_SHOWN = 60;
  /** U+FEFF in UTF-8, as the line's bytes (one char per byte). */
  private static final String UTF8_BOM = "\u00EF\u00BB\u00BF";

  private LineDiagnosis() {}

  static String describe(String line, int hashChars) {
    if (line.isEmpty()) {
      return "empty line";
    }
    if (line.startsWith(UTF8_BOM)) {
      // Bytes, one char each: a file saved by an editor that marks UTF-8 (Notepad did by default for years).
      return "starts with a UTF-8 byte order mark (bytes EF BB BF), which HIBP's files do not have: save the file "
          + "without it, or remove it with sed -i '1s/^\\xEF\\xBB\\xBF//' FILE";
    }
    int colon = line.indexOf(':');
    String hash = colon < 0 ? line : line.substring(0, colon);
    int bad = firstNonHex(hash);
    if (bad >= 0) {
      return colon < 0 && bad == hash.length() - 1 && hash.charAt(bad) == '\r'
          ? "malformed line (expected HASH:COUNT): " + shown(line)
          : "malformed line: hash contains " + describeChar(hash.charAt(bad)) + ": " + shown(line);
    }
    if (hash.length() != hashChars) {
      return "hash has " + hash.length() + " hex digits, expected " + hashChars + ": " + shown(line);
    }
    if (colon < 0) {
      return "malformed line (expected HASH:COUNT, no ':'): " + shown(line);
    }
    String count = line.substring(colon + 1);
    if (count.isEmpty()) {
      return "bad count: missing";
    }
    for (int i = 0; i < count.length(); i++) {
      char c = count.charAt(i);
      if (c < '0' || c > '9') {
        return "bad count '" + shown(count) + "'" + (c >= 0x20 && c < 0x7F ? "" : " (" + describeChar(c) + ")");
      }
    }
    if (count.length() > 18) {
      return "bad count '" + shown(count) + "' (too large)";
    }
    if (Long.parseLong(count) == 0) {
      return "bad count 0 (counts start at 1; padding entries are not expected)";
    }
    return "malformed line: " + shown(line);
  }

  /** A line of more than {@code maxLine} bytes, of which {@code start} is the beginning. */
  static String tooLong(String start, int maxLine) {
    return "line longer than " + maxLine + " bytes (expected HASH:COUNT): " + shown(start);
  }

  private static int firstNonHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (!Hex.isHexDigit(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  private static String describeChar(char c) {
    return c >= 0x20 && c < 0x7F ? "'" + c + "'" : String.format("byte 0x%02X", (int) c);
  }

  private static String shown(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < MAX_SHOWN; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7F ? c : '?');
    }
    return s.length() > MAX_SHOWN ? b.append("...").toString() : b.toString();
  }
}
