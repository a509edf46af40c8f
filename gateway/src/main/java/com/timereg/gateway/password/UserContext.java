package com.timereg.gateway.password;

import java.text.Normalizer;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What is known about the person choosing a password; each part, and each word inside it, is
 * a dictionary word for the strength estimate ("acme2024!" is weak for a user of Acme A/S).
 * Any part may be null or empty. toString is left as the record's: these are not secrets.
 */
public record UserContext(String loginName, String email, String customerName) {
  /** Shorter fragments ("a", "dk") would mark half of every password as a "context word". */
  static final int MIN_WORD_CHARS = 3;

  private static final Pattern SEPARATORS = Pattern.compile("[^\\p{L}\\p{N}]+");

  public static final UserContext NONE = new UserContext(null, null, null);

  /**
   * The dictionary words: whole values, their words, the e-mail's local part and domain labels, each
   * also with æ, ø and å spelt ae, oe and aa, and without diacritics (ø as o, å as a, é as e).
   */
  public Set<String> words() {
    Set<String> words = new LinkedHashSet<>();
    addWithParts(words, loginName);
    if (email != null) {
      int at = email.lastIndexOf('@');
      addWithParts(words, at < 0 ? email : email.substring(0, at));
      if (at >= 0) {
        addWithParts(words, email.substring(at + 1));
      }
    }
    addWithParts(words, customerName);
    return words;
  }

  private static void addWithParts(Set<String> words, String value) {
    if (value == null) {
      return;
    }
    // NFKC as the password is (PasswordPolicyChecker), or a name stored with "a" plus a combining ring
    // would never match the "å" a person types.
    String lower = Normalizer.normalize(value.strip(), Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    add(words, lower);
    add(words, SEPARATORS.matcher(lower).replaceAll(""));
    for (String part : SEPARATORS.split(lower)) {
      add(words, part);
    }
  }

  private static void add(Set<String> words, String word) {
    if (word.codePointCount(0, word.length()) >= MIN_WORD_CHARS) {
      words.add(word);
      // "Aeroeskoebing" is the same guess as "Ærøskøbing" for whoever knows the customer.
      words.add(WordLists.asciiSpelling(word));
      // And "Soren" for "Søren", "Rene" for "René": names typed without their diacritics are as guessable.
      words.add(WordLists.strippedSpelling(word));
    }
  }
}
