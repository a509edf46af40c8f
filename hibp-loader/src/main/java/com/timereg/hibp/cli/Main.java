package com.timereg.hibp.cli;

import com.timereg.hibp.CorruptSetException;
import com.timereg.hibp.HibpSet;
import com.timereg.hibp.HibpSetFormat;
import com.timereg.hibp.input.InputFormatException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/** {@code hibp-loader}: build, verify, inspect and query HIBP sets, and generate synthetic input. */
@Command(name = "hibp-loader", mixinStandardHelpOptions = true, version = "hibp-loader set format " + HibpSetFormat.VERSION,
    description = "Builds and inspects the compact offline Have I Been Pwned set the gateway maps.",
    subcommands = {BuildCommand.class, VerifyCommand.class, StatsCommand.class, QueryCommand.class,
        GenerateCommand.class},
    footer = {"", "Exit status: 0 success (query: found), 1 query: not found / verify: set damaged or empty, 2 error."})
public final class Main implements Runnable {
  /** Success; for {@code query}, the hash was found. */
  public static final int OK = 0;
  /** A negative answer: {@code query} did not find the hash, {@code verify} found damage or no entries. */
  public static final int NEGATIVE = 1;
  /** Bad usage, bad input, an I/O failure: the command could not do its job. */
  public static final int ERROR = 2;

  @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
  boolean verbose;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line: one-line errors, exit codes as documented. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExitCodeExceptionMapper(e -> ERROR);
    cl.setParameterExceptionHandler(Main::usageError);
    cl.setExecutionExceptionHandler(Main::executionError);
    return cl;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    String name = cmd.getCommandSpec().qualifiedName();
    cmd.getErr().println(name + ": " + e.getMessage() + " (see '" + name + " --help')");
    if (verbose(cmd.getParseResult())) {
      e.printStackTrace(cmd.getErr());
    }
    cmd.getErr().flush();
    return ERROR;
  }

  private static int executionError(Exception e, CommandLine cmd, ParseResult parseResult) {
    PrintWriter err = cmd.getErr();
    err.println(cmd.getCommandSpec().qualifiedName() + ": " + describe(e));
    if (verbose(parseResult)) {
      e.printStackTrace(err);
    }
    err.flush();
    return ERROR;
  }

  /**
   * Opens a set for a command, naming its path in the message of a file that is no set: the set's own messages
   * ("not a HIBP set file (bad magic)") do not, and a script that passes several sets needs to know which.
   */
  static HibpSet openSet(Path set) throws IOException {
    try {
      return HibpSet.open(set);
    } catch (CorruptSetException e) {
      CorruptSetException named = new CorruptSetException(set + ": " + e.getMessage());
      named.initCause(e);
      throw named;
    }
  }

  static String describe(Exception e) {
    if (e instanceof InputFormatException || e instanceof CorruptSetException) {
      return e.getMessage();
    }
    if (e instanceof NoSuchFileException f) {
      return "no such file: " + f.getFile();
    }
    if (e instanceof AccessDeniedException f) {
      return "permission denied: " + f.getFile();
    }
    if (e instanceof FileAlreadyExistsException f) {
      return "already exists: " + f.getFile();
    }
    if (e instanceof FileSystemException f) {
      return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : f.getClass().getSimpleName());
    }
    if (e instanceof IOException && e.getMessage() != null) {
      return e.getMessage();
    }
    if (e instanceof IllegalArgumentException && e.getMessage() != null) {
      return e.getMessage();
    }
    return "internal error: " + e + " (run with --verbose for details)";
  }

  private static boolean verbose(ParseResult result) {
    for (ParseResult r = result; r != null; r = r.subcommand()) {
      if (r.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }
}
