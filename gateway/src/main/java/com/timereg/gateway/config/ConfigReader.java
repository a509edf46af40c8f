package com.timereg.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed access to the YAML tree plus environment overrides. Every getter records problems instead
 * of throwing, so one pass finds every mistake; it also records the effective value of each key
 * (secrets masked) for the start-up log.
 *
 * <p>Override rule: key path {@code a.b-c} is overridden by the environment variable
 * {@code GATEWAY_A__B_C} (dots become double underscores, dashes single underscores, upper case).
 */
public final class ConfigReader {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConfigReader.class);
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)([kmg]?)(i?b)?", Pattern.CASE_INSENSITIVE);

  private final JsonNode root;
  private final Function<String, String> env;
  private final List<String> problems = new ArrayList<>();
  private final Set<String> consumed = new TreeSet<>();
  private final Map<String, String> effective = new LinkedHashMap<>();
  private final Set<String> referencedVariables = new TreeSet<>();

  public ConfigReader(JsonNode root, Function<String, String> env) {
    this.root = root;
    this.env = env;
  }

  public static String envName(String path) {
    return "GATEWAY_" + path.toUpperCase(Locale.ROOT).replace(".", "__").replace('-', '_');
  }

  /**
   * Shapes of a mistaken value worth showing back in a problem: a number with or without a unit or separators
   * ({@code 10 s}, {@code 1.5}, {@code 8kb}, {@code 30sec}) and a plain lower-case word ({@code eighty},
   * {@code enabled}). Anything else (capitals with digits, symbols, a long string) could be a password or token written
   * under the wrong key or into a non-secret key's override, and the problems reach the console and the log.
   */
  private static final Pattern SHOWN = Pattern.compile("[+-]?[0-9][0-9.,_]*\\s?[A-Za-z]{0,10}|[a-z]{1,12}(-[a-z]{1,12})?");
  private static final int SHOWN_MAX_LENGTH = 20;

  /**
   * {@code value} as a problem may quote it: {@code 'value'} when it has a shape of {@link #SHOWN}, short; otherwise
   * its length only, so that a secret pasted under the wrong key never reaches the log or the console.
   */
  public static String shown(String value) {
    if (value.length() <= SHOWN_MAX_LENGTH && SHOWN.matcher(value).matches()) {
      return "'" + value + "'";
    }
    return "a value of " + value.length() + " characters, not shown (it could be a password or token written under"
        + " the wrong key)";
  }

  public void problem(String path, String message) {
    problems.add(path + ": " + message);
  }

  /**
   * A private key's file, read at start: writable by group or others, or in a directory others may write without the
   * sticky bit, is a problem (anyone with that access could replace the key); readable by others, or in a directory
   * another group may write, a warning logged now. Skipped where files have no POSIX mode.
   */
  public void keyFile(String path, Path file) {
    com.timereg.gateway.tls.KeyFileMode.refusal(file).ifPresentOrElse(m -> problem(path, m),
        () -> com.timereg.gateway.tls.KeyFileMode.warnings(file).forEach(m -> LOG.warn("{}: {}", path, m)));
  }

  /**
   * A CA file the gateway trusts a peer's certificate by, read at start: no secret, but whoever can write it (or rename
   * it away in its directory) adds their own CA and is trusted as that peer. Refused as a key file is (group or others
   * writing it, or a directory above it others may write without the sticky bit); readable by others is fine.
   *
   * @param what the peer the CA vouches for, as the message names it ({@code the backend's certificate})
   */
  public void trustFile(String path, Path file, String what) {
    com.timereg.gateway.tls.KeyFileMode.refusal(file, "CA file", "the CA " + what + " is checked against")
        .ifPresent(m -> problem(path, m));
  }

  /**
   * The breach set file, followed while the gateway runs: whoever may write it, or rename another in its place,
   * can put in a valid set without the breached hashes and have breached passwords called safe. Refused as a key file
   * is; readable by others is fine (public data). A set still to come counts its directory, where it will be renamed
   * in. The watcher applies the same rule to every replacement (breach.SetFilePlace).
   */
  public void breachSetFile(String path, Path file) {
    (Files.exists(file) ? com.timereg.gateway.tls.KeyFileMode.breachSetRefusal(file)
        : com.timereg.gateway.tls.KeyFileMode.directoryRefusal(file.toAbsolutePath().getParent(),
            "breach set directory", "the set " + file + " the gateway will load"))
        .ifPresent(m -> problem(path, m));
  }

  /**
   * A word list read once at start for the strength estimate. Only warned about when others could replace it: a list
   * edited by someone else can only make estimates weaker for the words taken out (zxcvbn's own lists, the breach
   * check and the minimum length still apply), and the gateway never writes it; a refusal would stop the start for a
   * file that cannot let a breached password through.
   */
  public void wordList(String path, Path file) {
    com.timereg.gateway.tls.KeyFileMode.refusal(file, "word list", "the words it holds with fewer or none")
        .ifPresent(m -> LOG.warn("{}: {}; password strength estimates may be weaker than they seem", path, m));
  }

  public List<String> problems() {
    return problems;
  }

  public Map<String, String> effective() {
    return effective;
  }

  /** The raw text of a key (environment first), or empty when absent. */
  private Optional<String> raw(String path) {
    consumed.add(path);
    String fromEnv = env.apply(envName(path));
    if (fromEnv != null) {
      if (fromEnv.isBlank()) {
        // Set but empty (a template's unset variable): taken as "no value", the key got the code's default, not
        // the file's, without a word.
        problem(path, envName(path) + " is set but empty; unset it to keep the file's value, or give one");
        return Optional.empty();
      }
      return Optional.of(fromEnv.trim());
    }
    JsonNode node = node(path);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isValueNode()) {
      problem(path, "expected a single value, found a " + (node.isArray() ? "list" : "section"));
      return Optional.empty();
    }
    if (node.isTextual() && node.asText().isBlank()) {
      // Written as "" (most often a template's variable rendered empty: url: "${BACKEND_URL}"), a text key got the
      // code's default without a word, as an empty override did: the backend http://127.0.0.1:8000, public.host
      // every interface. A key with no value at all (url:) is null above and still means the default.
      problem(path, "is empty; remove the key (or leave it without a value) for its default, or give one");
      return Optional.empty();
    }
    return Optional.of(node.asText().trim());
  }

  private JsonNode node(String path) {
    JsonNode n = root;
    for (String part : path.split("\\.")) {
      if (n == null || !n.isObject()) {
        return null;
      }
      n = n.get(part);
    }
    return n;
  }

  private <T> T record(String path, T value) {
    effective.put(path, String.valueOf(value instanceof Optional<?> o ? o.map(String::valueOf).orElse("(none)") : value));
    return value;
  }

  public String string(String path, String def) {
    return record(path, raw(path).filter(s -> !s.isEmpty()).orElse(def));
  }

  public Optional<String> optionalString(String path) {
    return record(path, raw(path).filter(s -> !s.isEmpty()));
  }

  public boolean bool(String path, boolean def) {
    Optional<String> v = raw(path);
    if (v.isEmpty()) {
      return record(path, def);
    }
    switch (v.get().toLowerCase(Locale.ROOT)) {
      case "true": case "yes": case "on": return record(path, true);
      case "false": case "no": case "off": return record(path, false);
      default:
        problem(path, "expected true or false, got " + shown(v.get()));
        return def;
    }
  }

  public int integer(String path, int def, int min, int max) {
    Optional<String> v = raw(path);
    if (v.isEmpty()) {
      return record(path, def);
    }
    try {
      int i = Integer.parseInt(v.get());
      if (i < min || i > max) {
        problem(path, "must be between " + min + " and " + max + ", got " + i);
        return def;
      }
      return record(path, i);
    } catch (NumberFormatException e) {
      problem(path, "expected a whole number, got " + shown(v.get()));
      return def;
    }
  }

  public double decimal(String path, double def, double min, double max) {
    Optional<String> v = raw(path);
    if (v.isEmpty()) {
      return record(path, def);
    }
    try {
      double d = Double.parseDouble(v.get());
      if (!(d >= min && d <= max)) {
        problem(path, "must be between " + min + " and " + max + ", got " + v.get());
        return def;
      }
      return record(path, d);
    } catch (NumberFormatException e) {
      problem(path, "expected a number, got " + shown(v.get()));
      return def;
    }
  }

  /** A duration such as {@code 250ms}, {@code 10s}, {@code 15m}, {@code 24h}, {@code 7d}; {@code 0} means zero. */
  public Duration duration(String path, Duration def, Duration min, Duration max) {
    Optional<String> v = raw(path);
    if (v.isEmpty()) {
      return record(path, def);
    }
    Duration d = parseDuration(v.get());
    if (d == null) {
      problem(path, DURATION.matcher(v.get()).matches()
          ? "must be between " + min + " and " + max + ", got " + shown(v.get())
          : "expected a duration like 500ms, 10s, 15m, 24h or 7d, got " + shown(v.get()));
      return def;
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      problem(path, "must be between " + min + " and " + max + ", got " + d);
      return def;
    }
    return record(path, d);
  }

  static Duration parseDuration(String s) {
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = DURATION.matcher(s);
    if (!m.matches()) {
      return null;
    }
    // Digits beyond what a long or a Duration holds are a mistake to report with the rest, not an
    // exception that ends the start with a stack trace.
    try {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms": return Duration.ofMillis(n);
        case "s": return Duration.ofSeconds(n);
        case "m": return Duration.ofMinutes(n);
        case "h": return Duration.ofHours(n);
        default: return Duration.ofDays(n);
      }
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
  }

  /** A size in bytes such as {@code 8192}, {@code 16k}, {@code 10m}, {@code 1g} (binary multiples). */
  public long size(String path, long def, long min, long max) {
    Optional<String> v = raw(path);
    if (v.isEmpty()) {
      return record(path, def);
    }
    Matcher m = SIZE.matcher(v.get());
    if (!m.matches()) {
      problem(path, "expected a size like 8192, 16k or 10m, got " + shown(v.get()));
      return def;
    }
    long n;
    try {
      // multiplyExact, not a shift: 2^34 g shifted in a long wraps around to 0 bytes.
      n = Math.multiplyExact(Long.parseLong(m.group(1)), switch (m.group(2).toLowerCase(Locale.ROOT)) {
        case "k" -> 1L << 10;
        case "m" -> 1L << 20;
        case "g" -> 1L << 30;
        default -> 1L;
      });
    } catch (NumberFormatException | ArithmeticException e) {
      problem(path, "must be between " + min + " and " + max + " bytes, got " + shown(v.get()));
      return def;
    }
    if (n < min || n > max) {
      problem(path, "must be between " + min + " and " + max + " bytes, got " + n);
      return def;
    }
    return record(path, n);
  }

  /**
   * Whether {@code file} is a regular file this process may read (a symbolic link to one is); otherwise a problem
   * naming {@code path} and the file is recorded. A directory or a FIFO passes {@link Files#isReadable} but is no
   * file to read: the start would fail later without naming the key (exit status 1), or, for a FIFO, block for good
   * in its open until some writer came along.
   */
  public boolean readableFile(String path, Path file) {
    if (!Files.exists(file)) {
      problem(path, "cannot read " + file + " (no such file)");
    } else if (Files.isDirectory(file)) {
      problem(path, "cannot read " + file + ": it is a directory, not a file");
    } else if (!Files.isRegularFile(file)) {
      problem(path, "cannot read " + file + ": not a regular file (a FIFO, socket or device)");
    } else if (!Files.isReadable(file)) {
      problem(path, "cannot read " + file + " (permission denied)");
    } else {
      return true;
    }
    return false;
  }

  public Optional<Path> optionalPath(String path) {
    return record(path, raw(path).filter(s -> !s.isEmpty()).flatMap(s -> toPath(path, s)));
  }

  /** {@code value} as a path, or empty after a problem naming {@code path} (a NUL, say, is no path). */
  public Optional<Path> toPath(String path, String value) {
    try {
      return Optional.of(Path.of(value));
    } catch (java.nio.file.InvalidPathException e) {
      problem(path, "not a usable path: " + e.getReason());
      return Optional.empty();
    }
  }

  public <E extends Enum<E>> E enumValue(String path, Class<E> type, E def) {
    Optional<String> v = raw(path);
    if (v.isEmpty()) {
      return record(path, def);
    }
    String wanted = v.get().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(wanted)) {
        return record(path, e);
      }
    }
    problem(path, "expected one of " + Arrays.stream(type.getEnumConstants())
        .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList() + ", got " + shown(v.get()));
    return def;
  }

  /** A list: a YAML sequence, or in the environment a comma-separated value. */
  public List<String> stringList(String path, List<String> def) {
    consumed.add(path);
    String fromEnv = env.apply(envName(path));
    if (fromEnv != null) {
      return record(path, Arrays.stream(fromEnv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
    }
    JsonNode node = node(path);
    if (node == null || node.isNull()) {
      return record(path, def);
    }
    if (!node.isArray()) {
      problem(path, "expected a list");
      return def;
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : node) {
      if (!item.isValueNode()) {
        problem(path, "expected a list of values");
        return def;
      }
      if (item.isNull() || item.asText().isBlank()) {
        // "- " with nothing after it, "~" or "": Jackson's text of a null item is the word "null", which was taken
        // as a host name allowed, a path prefix or a dictionary file of that name.
        problem(path, "item " + (out.size() + 1) + " is empty; remove it or give a value");
        return def;
      }
      out.add(item.asText().trim());
    }
    return record(path, List.copyOf(out));
  }

  /**
   * A secret. The configuration file may only hold {@code env:NAME} or {@code file:PATH}; the
   * environment override {@code GATEWAY_...} may hold the literal value, since it is not committed.
   */
  public Optional<Secret> secret(String path) {
    consumed.add(path);
    String envName = envName(path);
    String fromEnv = env.apply(envName);
    Optional<Secret> result;
    if (fromEnv != null && fromEnv.isBlank()) {
      // As for any other key (raw): set but empty left the file's reference in force without a word, and whitespace
      // taken as the value itself was a password or signing key of spaces. Named, never echoed.
      problem(path, envName + (fromEnv.isEmpty() ? " is set but empty; unset it to keep the file's value, or give one"
          : " holds only whitespace, no secret"));
      result = Optional.empty();
    } else if (fromEnv != null) {
      result = fromEnv.startsWith("env:") || fromEnv.startsWith("file:")
          ? resolveSecret(path, fromEnv)
          : Optional.of(Secret.of(fromEnv, "env:" + envName));
    } else {
      JsonNode node = node(path);
      if (node != null && !node.isNull() && !node.isValueNode()) {
        // e.g. "file: /run/secrets/db" indented under the key: reads as a section whose text is empty, which
        // would otherwise pass for no secret at all.
        problem(path, "expected a single value 'env:NAME' or 'file:PATH', found a " + (node.isArray() ? "list" : "section"));
        result = Optional.empty();
      } else if (node != null && node.isTextual() && node.asText().isBlank()) {
        // password: "" (a template rendered empty) was taken as no password at all, without a word.
        problem(path, "is empty; remove the key (or leave it without a value) if there is no secret, or give"
            + " 'env:NAME' or 'file:PATH'");
        result = Optional.empty();
      } else {
        result = node == null || node.isNull() ? Optional.empty() : resolveSecret(path, node.asText().trim());
      }
    }
    result.filter(s -> s.origin().startsWith("file:")).ifPresent(s -> secretFile(path, Path.of(s.origin().substring(5))));
    effective.put(path, result.map(Secret::toString).orElse("(none)"));
    return result;
  }

  /**
   * A {@code file:} secret (the database password, the session signing key), held to the key files' rule: writable
   * by group or others, or in a directory others may write without the sticky bit, is a problem, since anyone with
   * that access could put their own in its place (a signing key of theirs signs tokens the gateway accepts; a
   * password of theirs stops every connection to the database); readable by others, a warning now (Kubernetes
   * mounts secrets 0644 unless told otherwise), as is a directory another group may write.
   */
  private void secretFile(String path, Path file) {
    com.timereg.gateway.tls.KeyFileMode.secretFileRefusal(file).ifPresentOrElse(m -> problem(path, m),
        () -> com.timereg.gateway.tls.KeyFileMode.warnings(file, "secret file", "the secret", "secret")
            .forEach(m -> LOG.warn("{}: {}", path, m)));
  }

  /** Resolves one {@code env:}/{@code file:} reference found inside a list value. */
  public Optional<Secret> secretReference(String path, String reference) {
    return resolveSecret(path, reference.trim());
  }

  private Optional<Secret> resolveSecret(String path, String reference) {
    if (reference.startsWith("env:")) {
      referencedVariables.add(reference.substring(4));
    }
    String[] problem = new String[1];
    Optional<Secret> s = Secret.resolve(reference, env, problem);
    if (s.isEmpty()) {
      problem(path, problem[0]);
    }
    return s;
  }

  /** Keys present in the file that no getter asked for: almost always a typo. */
  public void reportUnknownKeys() {
    collectUnknown(root, "");
  }

  /**
   * Environment variables shaped like an override of a nested key ({@code GATEWAY_} and a double underscore)
   * that override no key: a typo there would otherwise be ignored without a word, e.g. a misspelt
   * {@code GATEWAY_PUBLIC__ALLOWED_HOSTS} leaving every host allowed. Variables a secret reference names
   * ({@code env:NAME}) are not overrides. The problem names the nearest override there is, when one is close.
   *
   * <p>Names are case-sensitive: {@code gateway_public__port} or {@code Gateway_Public__Port} overrides nothing, and
   * was ignored without a word since it does not start with {@code GATEWAY_}; such a name with a double underscore is
   * refused as well, naming the variable meant.
   */
  public void reportUnknownOverrides(java.util.Collection<String> variables) {
    Set<String> known = new TreeSet<>(referencedVariables);
    consumed.forEach(path -> known.add(envName(path)));
    Map<String, String> overrides = new java.util.TreeMap<>();
    consumed.forEach(path -> overrides.put(envName(path), path));
    for (String name : new TreeSet<>(variables)) {
      String upper = name.toUpperCase(Locale.ROOT);
      if (!upper.startsWith("GATEWAY_") || !name.contains("__") || known.contains(name)) {
        continue;
      }
      String meant = nearest(upper.replace("__", "_"), overrides.keySet(), 3);
      problems.add(name + ": overrides no configuration key (key a.b-c is GATEWAY_A__B_C"
          + (name.startsWith("GATEWAY_") ? "" : "; variable names are case-sensitive, upper case here")
          + (meant == null ? ")" : "); " + overrides.get(meant) + " is " + meant));
    }
    // One underscore where the sections' double one belongs (GATEWAY_PUBLIC_PORT for public.port) is ignored as well,
    // but cannot be refused: GATEWAY_ variables without a double underscore are set on purpose for other readers
    // (GATEWAY_DATABASE_URL, GATEWAY_ADMIN_TOKEN, GATEWAY_LOG_LEVEL), and Kubernetes sets GATEWAY_PUBLIC_PORT and
    // GATEWAY_ADMIN_PORT itself in every pod of a namespace with a service named gateway-public or gateway-admin.
    // One that is a key's override but for its double underscores, its letter case or a typo of a letter or two
    // (GATEWAY_PUBLIC_PROT, gateway_data_dir) is warned about, naming the variable meant. Kubernetes' service link
    // names are left out of the typo match (GATEWAY_ADMIN_SERVICE_PORT is no misspelt key).
    Map<String, String> collapsed = new java.util.TreeMap<>();
    consumed.forEach(path -> collapsed.putIfAbsent(envName(path).replace("__", "_"), path));
    for (String name : new TreeSet<>(variables)) {
      String upper = name.toUpperCase(Locale.ROOT);
      if (!upper.startsWith("GATEWAY_") || name.contains("__") || known.contains(name)) {
        continue;
      }
      String meant = collapsed.containsKey(upper) ? upper
          : SERVICE_LINK.matcher(upper).matches() ? null : nearest(upper, collapsed.keySet(), 2);
      if (meant == null) {
        continue;
      }
      String path = collapsed.get(meant);
      LOG.warn("{} is ignored: it overrides no configuration key; key {} is {} (upper case, with a double"
          + " underscore between section and key; a Kubernetes service link of that name, tcp://..., may be left"
          + " alone)", name, path, envName(path));
    }
  }

  /** Kubernetes' service link variables for a service named gateway or gateway-...: never a misspelt override. */
  private static final Pattern SERVICE_LINK =
      Pattern.compile("GATEWAY_\\w*?(SERVICE_HOST|SERVICE_PORT(_\\w+)?|PORT|PORT_\\d+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?)");

  /** The name of {@code names} nearest {@code name}, if at most {@code most} letters apart (and only one such). */
  private static String nearest(String name, java.util.Collection<String> names, int most) {
    String best = null;
    int bestDistance = most + 1;
    boolean tie = false;
    for (String candidate : names) {
      int d = distance(name, candidate.replace("__", "_"), most);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
        tie = false;
      } else if (d == bestDistance) {
        tie = true;
      }
    }
    return best == null || tie ? null : best;
  }

  /** Levenshtein distance, or {@code most + 1} once it is known to be larger. */
  private static int distance(String a, String b, int most) {
    if (Math.abs(a.length() - b.length()) > most) {
      return most + 1;
    }
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      int rowMin = i;
      for (int j = 1; j <= b.length(); j++) {
        current[j] = Math.min(Math.min(current[j - 1], previous[j]) + 1,
            previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
        rowMin = Math.min(rowMin, current[j]);
      }
      if (rowMin > most) {
        return most + 1;
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }

  private void collectUnknown(JsonNode node, String prefix) {
    if (node == null || !node.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (consumed.contains(path)) {
        continue;
      }
      boolean isSection = e.getValue().isObject()
          && consumed.stream().anyMatch(c -> c.startsWith(path + "."));
      if (isSection) {
        collectUnknown(e.getValue(), path);
      } else {
        problem(path, "unknown key");
      }
    }
  }
}
