package com.timereg.gateway.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Columns aligned with spaces, for people at a terminal; {@code --json} is for scripts. */
final class TextTable {
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  TextTable(String... headers) {
    this.headers = List.of(headers);
  }

  TextTable add(Object... cells) {
    List<String> r = new ArrayList<>();
    for (Object c : cells) {
      r.add(c == null ? "-" : clean(String.valueOf(c)));
    }
    rows.add(r);
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  void print(PrintWriter out) {
    int[] width = new int[headers.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = width(headers.get(i));
      for (List<String> r : rows) {
        width[i] = Math.max(width[i], width(r.get(i)));
      }
    }
    line(out, headers, width);
    for (List<String> r : rows) {
      line(out, r, width);
    }
    out.flush();
  }

  private static void line(PrintWriter out, List<String> cells, int[] width) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      sb.append(c);
      if (i < cells.size() - 1) {
        sb.append(" ".repeat(width[i] - width(c) + 2));
      }
    }
    out.println(sb.toString().stripTrailing());
  }

  /**
   * The columns a terminal gives the text: one a character, not one a UTF-16 unit (an emoji or a CJK extension B
   * name is two units), none for a combining mark (é as e and U+0301), two for an East Asian wide or full-width
   * character and an emoji; otherwise the columns after a name in Chinese or with an emoji were shifted.
   */
  static int width(String s) {
    return s.codePoints().map(TextTable::width).sum();
  }

  private static int width(int c) {
    int type = Character.getType(c);
    if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK) {
      return 0;
    }
    return wide(c) ? 2 : 1;
  }

  /** East Asian Wide and Fullwidth (Unicode's EastAsianWidth.txt, W and F), in the blocks that matter. */
  private static boolean wide(int c) {
    return c >= 0x1100 && c <= 0x115F // Hangul Jamo initials
        || c >= 0x2E80 && c <= 0x303E // CJK radicals, punctuation
        || c >= 0x3041 && c <= 0x33FF // kana, CJK symbols
        || c >= 0x3400 && c <= 0x4DBF // CJK extension A
        || c >= 0x4E00 && c <= 0x9FFF // CJK unified ideographs
        || c >= 0xA000 && c <= 0xA4CF // Yi
        || c >= 0xAC00 && c <= 0xD7A3 // Hangul syllables
        || c >= 0xF900 && c <= 0xFAFF // CJK compatibility ideographs
        || c >= 0xFE30 && c <= 0xFE4F // CJK compatibility forms
        || c >= 0xFF00 && c <= 0xFF60 // full-width forms
        || c >= 0xFFE0 && c <= 0xFFE6
        || c >= 0x1F300 && c <= 0x1F64F // pictographs, emoticons
        || c >= 0x1F680 && c <= 0x1F6FF // transport and map symbols
        || c >= 0x1F900 && c <= 0x1F9FF // supplemental pictographs
        || c >= 0x20000 && c <= 0x3FFFD; // CJK extensions B and later
  }

  /** Control characters in data (a note) must not move the terminal's cursor. */
  private static String clean(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints().forEach(c -> sb.appendCodePoint(drivesTheTerminal(c) ? '?' : c));
    return sb.toString();
  }

  /**
   * A character that moves the cursor or changes how the rest of a line is shown rather than showing itself: the
   * control characters (C0, DEL, C1), and the format characters (bidirectional overrides and isolates such as
   * U+202E, zero-width ones) and line and paragraph separators, which {@link Character#isISOControl} leaves out
   * although they reorder or break a line as much (a login name with U+202E showed the columns after it reversed).
   */
  static boolean drivesTheTerminal(int c) {
    int type = Character.getType(c);
    return Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }
}
