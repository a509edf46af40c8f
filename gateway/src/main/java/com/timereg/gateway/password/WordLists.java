package com.timereg.gateway.password;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads word-list files (one word per line, UTF-8, as Debian's /usr/share/dict files are) into
 * NFKC-normalised, lower-case words for the strength estimate. Blocking file I/O: call at start-up.
 */
public final class WordLists {
  private WordLists() {}

  /**
   * The distinct words of all {@code files}, in file order. Blank lines are skipped, as are
   * words under {@link UserContext#MIN_WORD_CHARS} characters, which would only add noise.
   *
   * @throws UncheckedIOException naming the file when one cannot be read or is not UTF-8
   */
  public static List<String> load(List<Path> files) {
    Set<String> words = new LinkedHashSet<>();
    for (Path file : files) {
      var decoder = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT);
      try (Stream<String> lines = new BufferedReader(
          new InputStreamReader(Files.newInputStream(file), decoder)).lines()) {
        // NFKC, as the password is: a list written with combining accents must match what people type.
        lines.map(line -> Normalizer.normalize(line.strip(), Normalizer.Form.NFKC).toLowerCase(Locale.ROOT))
            .filter(word -> word.codePointCount(0, word.length()) >= UserContext.MIN_WORD_CHARS)
            .forEach(words::add);
      } catch (IOException | UncheckedIOException e) {
        throw new UncheckedIOException("cannot read word list " + file,
            e instanceof IOException ? (IOException) e : ((UncheckedIOException) e).getCause());
      }
    }
    return List.copyOf(words);
  }

  /**
   * The words that hold æ, ø or å, spelt as Danes type them without those keys (ae, oe, aa), in the
   * words' order: "smoerrebroed" is as guessable as "smørrebrød". Words without them are left out.
   */
  public static List<String> asciiSpellings(Collection<String> words) {
    Set<String> spellings = new LinkedHashSet<>();
    for (String word : words) {
      String ascii = asciiSpelling(word);
      if (!ascii.equals(word)) {
        spellings.add(ascii);
      }
    }
    return List.copyOf(spellings);
  }

  /**
   * The words whose letters with diacritics are written without them ("smorrebrod", "blabaer", "cafe"), in the
   * words' order: how they are typed on a keyboard without those letters, and how English spells Danish and
   * Norwegian words. Words whose spelling this does not change, or changes as {@link #asciiSpellings} does, are
   * left out.
   */
  public static List<String> strippedSpellings(Collection<String> words) {
    Set<String> spellings = new LinkedHashSet<>();
    for (String word : words) {
      String stripped = strippedSpelling(word);
      if (!stripped.equals(word) && !stripped.equals(asciiSpelling(word))) {
        spellings.add(stripped);
      }
    }
    return List.copyOf(spellings);
  }

  /** {@code word} (lower case) with æ, ø and å written ae, oe and aa. */
  static String asciiSpelling(String word) {
    return word.replace("æ", "ae").replace("ø", "oe").replace("å", "aa");
  }

  private static final Pattern COMBINING_MARKS = Pattern.compile("\\p{M}+");

  /**
   * {@code word} (lower case) without its diacritics: ø written o, æ and œ ae and oe (letters of their own, which
   * Unicode does not decompose), the rest decomposed and their combining marks dropped (å to a, é to e, ü to u),
   * then composed again.
   */
  static String strippedSpelling(String word) {
    String letters = word.replace("ø", "o").replace("æ", "ae").replace("œ", "oe");
    String marksApart = Normalizer.normalize(letters, Normalizer.Form.NFD);
    return Normalizer.normalize(COMBINING_MARKS.matcher(marksApart).replaceAll(""), Normalizer.Form.NFC);
  }
}
