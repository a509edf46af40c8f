package com.timereg.hibp.cli;

import com.timereg.hibp.HibpSet;
import com.timereg.hibp.PrevalenceClass;
import com.timereg.hibp.Sha1;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "query", mixinStandardHelpOptions = true,
    description = "Prints the prevalence of a password or SHA-1 in a set: 0 when absent, otherwise the "
        + "smallest count of its class.",
    footer = {"", "Exit status: 0 found, 1 not found, 2 error."})
final class QueryCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "<set>")
  Path set;

  @ArgGroup(multiplicity = "1")
  Key key;

  static final class Key {
    @Option(names = "--password", paramLabel = "P",
        description = "A password (visible to other users in the process list; see --password-stdin). "
            + "Beyond ASCII it needs a UTF-8 locale: the JVM decodes its command line in the locale's encoding.")
    String password;

    @Option(names = "--password-stdin", description = "Read the password from the first line of stdin; at a "
        + "terminal, asked for and not shown as it is typed.")
    boolean passwordStdin;

    @Option(names = "--sha1", paramLabel = "H", description = "A SHA-1 as 40 hex digits, either case.")
    String sha1;
  }

  @Override
  public Integer call() throws Exception {
    byte[] hash = hash();
    try (HibpSet s = Main.openSet(set)) {
      long prevalence = s.prevalence(hash);
      if (prevalence == 0) {
        spec.commandLine().getOut().println("0 (not found)");
        return Main.NEGATIVE;
      }
      int cls = Long.numberOfTrailingZeros(prevalence);
      long upper = PrevalenceClass.upperBound(cls, s.header().parameters().classBits());
      String seen = upper == Long.MAX_VALUE ? prevalence + " times or more"
          : upper == prevalence ? (prevalence == 1 ? "once" : prevalence + " times")
          : prevalence + " to " + upper + " times";
      spec.commandLine().getOut().println(prevalence + " (pwned: seen " + seen + ")");
      return Main.OK;
    }
  }

  private byte[] hash() throws Exception {
    if (key.sha1 != null) {
      String hex = key.sha1.trim();
      if (!hex.matches("[0-9A-Fa-f]{40}")) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--sha1 needs 40 hex digits");
      }
      return Sha1.parseHex(hex);
    }
    if (key.passwordStdin) {
      Console terminal = terminal();
      if (terminal != null) {
        return typedAt(terminal);
      }
      // Strict: a byte that is not UTF-8 (a terminal in Latin-1, say) would otherwise become U+FFFD, and the
      // hash of another password be looked up and called "not found".
      String line;
      try {
        line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT))).readLine();
      } catch (CharacterCodingException e) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "the password on stdin is not valid UTF-8 (as the gateway hashes it); nothing was looked up");
      }
      if (line == null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "no password on stdin");
      }
      // A file saved by an editor that marks UTF-8 (Notepad did by default) starts with U+FEFF: not part of the
      // password, and hashed with it a breached password would be called "not found".
      return Sha1.ofPassword(line.startsWith("\uFEFF") ? line.substring(1) : line);
    }
    // The JVM decodes its command line in the locale's encoding: under the C or POSIX locale (cron, env -i, a
    // container without one) every byte above 127 becomes U+FFFD, as does a byte that is not text in any locale,
    // and the hash of another password would be looked up and a breached one called "not found".
    if (key.password.indexOf('\uFFFD') >= 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--password was not read as text: the "
          + "command line was decoded as " + System.getProperty("sun.jnu.encoding", "the locale's encoding")
          + "; run in a UTF-8 locale (LC_ALL=C.UTF-8) or use --password-stdin (read as UTF-8); nothing was looked up");
    }
    return Sha1.ofPassword(key.password);
  }

  /**
   * A password typed at a terminal, not echoed: read as a line from stdin, it stood on the screen (and in the
   * terminal's scrollback and any session recording) for whoever looks. The terminal's own encoding decodes it;
   * a byte it cannot read becomes U+FFFD, and the hash of another password would be looked up and called "not
   * found", so that is refused as the strict UTF-8 read of a pipe refuses it.
   */
  private byte[] typedAt(Console terminal) {
    char[] typed = terminal.readPassword("Password (not shown): ");
    if (typed == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "no password typed");
    }
    try {
      String password = new String(typed);
      if (password.indexOf('\uFFFD') >= 0) {
        throw new CommandLine.ParameterException(spec.commandLine(), "the password typed is not text in the "
            + "terminal's encoding (" + terminal.charset() + "); nothing was looked up");
      }
      return Sha1.ofPassword(password);
    } finally {
      Arrays.fill(typed, ' ');
    }
  }

  /**
   * The console if stdin and stdout are a terminal, else null. Up to Java 21 {@link System#console()} is null
   * otherwise; from Java 22 it may be a console on pipes too, and {@code Console.isTerminal()} tells.
   */
  private static Console terminal() {
    Console console = System.console();
    if (console == null) {
      return null;
    }
    try {
      return Boolean.TRUE.equals(Console.class.getMethod("isTerminal").invoke(console)) ? console : null;
    } catch (NoSuchMethodException e) {
      return console;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
