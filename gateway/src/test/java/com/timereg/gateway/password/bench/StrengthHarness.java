package com.timereg.gateway.password.bench;

import com.nulabinc.zxcvbn.Zxcvbn;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import me.gosimple.nbvcxz.Nbvcxz;

/**
 * Times nbvcxz or zxcvbn4j on one long hostile input, to choose the estimator
 * (docs/password-strength.md). A harness rather than JMH: an uncapped estimate can run for
 * minutes and cannot be interrupted, so bench/strength-estimators.sh runs each measurement in its
 * own JVM under {@code timeout}, and a time-out is itself the finding.
 *
 * <p>Args: {@code nbvcxz|zxcvbn4j <cap chars, 0 = whole input> <input index>}, or
 * {@code nbvcxz|zxcvbn4j sweep <input index> <from> <to> <step>} to estimate growing prefixes of
 * one input in one JVM, printing each as it finishes (the caller's timeout shows where it blew
 * up); no args lists the inputs.
 */
public final class StrengthHarness {
  private StrengthHarness() {}

  public static void main(String[] args) {
    List<Map.Entry<String, String>> inputs = new ArrayList<>(hostileInputs().entrySet());
    if (args.length < 3) {
      for (int i = 0; i < inputs.size(); i++) {
        System.out.println(i + " " + inputs.get(i).getKey());
      }
      return;
    }
    ToDoubleFunction<String> estimator = estimator(args[0]);
    if (args[1].equals("sweep")) {
      sweep(args[0], estimator, inputs.get(Integer.parseInt(args[2])), Integer.parseInt(args[3]),
          Integer.parseInt(args[4]), Integer.parseInt(args[5]));
      return;
    }
    int cap = Integer.parseInt(args[1]);
    Map.Entry<String, String> input = inputs.get(Integer.parseInt(args[2]));
    String password = cap > 0
        ? input.getValue().substring(0, Math.min(cap, input.getValue().length()))
        : input.getValue();
    // Warm up on ordinary passwords so the timing is not class loading and the interpreter.
    for (int i = 0; i < 300; i++) {
      estimator.applyAsDouble("Tr0ub4dor&3-" + i);
    }
    int repeats = password.length() <= 100 ? 10 : 1;
    double bits = 0;
    long start = System.nanoTime();
    for (int i = 0; i < repeats; i++) {
      bits = estimator.applyAsDouble(password);
    }
    double ms = (System.nanoTime() - start) / 1e6 / repeats;
    System.out.printf("%-9s %-27s %6d %11.2f %8.1f%n", args[0], input.getKey(),
        password.length(), ms, bits);
  }

  private static void sweep(String library, ToDoubleFunction<String> estimator,
      Map.Entry<String, String> input, int from, int to, int step) {
    for (int i = 0; i < 300; i++) {
      estimator.applyAsDouble("Tr0ub4dor&3-" + i);
    }
    for (int length = from; length <= to; length += step) {
      String password = input.getValue().substring(0, Math.min(length, input.getValue().length()));
      long start = System.nanoTime();
      double bits = estimator.applyAsDouble(password);
      System.out.printf("%-9s %-27s %6d %11.2f %8.1f%n", library, input.getKey(), length,
          (System.nanoTime() - start) / 1e6, bits);
      System.out.flush();
    }
  }

  private static ToDoubleFunction<String> estimator(String library) {
    switch (library) {
      case "nbvcxz":
        Nbvcxz nbvcxz = new Nbvcxz();
        return p -> nbvcxz.estimate(p).getEntropy();
      case "zxcvbn4j":
        Zxcvbn zxcvbn = new Zxcvbn();
        return p -> Math.log(zxcvbn.measure(p).getGuesses()) / Math.log(2);
      default:
        throw new IllegalArgumentException("unknown library " + library);
    }
  }

  private static Map<String, String> hostileInputs() {
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put("repeat 'a' x10k", "a".repeat(10_000));
    inputs.put("repeat 'abc123' x10k", "abc123".repeat(1_667).substring(0, 10_000));
    inputs.put("keyboard 'qwertyuiop' 10k", "qwertyuiop".repeat(1_000));
    inputs.put("sequence 0-9 10k", "0123456789".repeat(1_000));
    inputs.put("dates '19841231' 10k", "19841231".repeat(1_250));
    inputs.put("random unicode 10k", randomUnicode(10_000, 42));
    inputs.put("dictionary words 10k", dictionaryConcat(10_000));
    inputs.put("leet dictionary 10k", dictionaryConcat(10_000).replace('a', '4').replace('e', '3')
        .replace('o', '0').replace('s', '$'));
    inputs.put("dictionary words 1k", dictionaryConcat(1_000));
    // Every kind of character zxcvbn4j's l33t matcher reads as a letter (docs/password-strength.md).
    inputs.put("l33t all kinds 64", "4@8({[<3&69!|17015$+%2".repeat(3).substring(0, 64));
    // Sixteen kinds in the first 16 characters, then only those again.
    inputs.put("l33t 16 kinds repeated 64", "1|7!(<{[4@8$5+30".repeat(4));
    // Ordinary passwords, for the cost of the common case.
    inputs.put("typical 'Tr0ub4dor&3'", "Tr0ub4dor&3");
    inputs.put("typical passphrase 28", "correct horse battery staple");
    inputs.put("typical passphrase 44", "rødgrød med fløde og en kop kaffe til mormor");
    inputs.put("typical random 20", "hV7#qLm2!xPz9@Rt4&Wk");
    return inputs;
  }

  private static String randomUnicode(int codePoints, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder();
    while (sb.codePointCount(0, sb.length()) < codePoints) {
      int cp = random.nextInt(0x20, 0x2FFFF);
      if (Character.isDefined(cp) && !Character.isSurrogate((char) cp) && cp != 0x7F) {
        sb.appendCodePoint(cp);
      }
    }
    return sb.toString();
  }

  private static String dictionaryConcat(int length) {
    List<String> words = new ArrayList<>(List.of("password", "monkey", "dragon", "football",
        "baseball", "letmein", "sunshine", "princess", "welcome", "shadow", "master", "summer",
        "michael", "jennifer", "computer", "correct", "horse", "battery", "staple", "winter"));
    StringBuilder sb = new StringBuilder();
    for (int i = 0; sb.length() < length; i++) {
      sb.append(words.get((i * 7) % words.size()));
    }
    return sb.substring(0, length);
  }
}
