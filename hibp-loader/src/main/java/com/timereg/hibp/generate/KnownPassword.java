package com.timereg.hibp.generate;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A plaintext to plant in a synthetic set; count 0 means "draw one". */
public record KnownPassword(String password, long count) {
  /**
   * Reads one password per line (UTF-8), optionally followed by a TAB and its count; a line whose text after
   * the last TAB is not a count is taken whole as the password. Empty lines are skipped, and so is a byte order
   * mark at the start (an editor's, not part of the first password).
   */
  public static List<KnownPassword> read(Path file) throws IOException {
    List<KnownPassword> list = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      boolean first = true;
      for (String line; (line = r.readLine()) != null; first = false) {
        if (first && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
        if (!line.isEmpty()) {
          list.add(parse(line));
        }
      }
    } catch (CharacterCodingException e) {
      // The decoder's own message is only "Input length = 1".
      throw new IOException(file + ": not valid UTF-8 (passwords are hashed as UTF-8, as the gateway does)", e);
    } catch (FileSystemException e) {
      throw e;
    } catch (IOException e) {
      // A directory, say, says only "Is a directory".
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    return list;
  }

  static KnownPassword parse(String line) {
    int tab = line.lastIndexOf('\t');
    if (tab > 0 && tab < line.length() - 1) {
      String count = line.substring(tab + 1);
      if (count.length() <= 18 && count.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return new KnownPassword(line.substring(0, tab), Long.parseLong(count));
      }
    }
    return new KnownPassword(line, 0);
  }
}
