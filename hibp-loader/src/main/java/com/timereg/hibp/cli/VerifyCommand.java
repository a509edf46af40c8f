package com.timereg.hibp.cli;

import com.timereg.hibp.CorruptSetException;
import com.timereg.hibp.HibpSet;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Reads a whole set and checks its header, section checksums, bucket structure and order.",
    footer = {"", "Exit status: 0 intact, 1 damaged or empty (the gateway refuses a set with no entries), "
        + "2 could not be read."})
final class VerifyCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "<set>")
  Path set;

  @Override
  public Integer call() throws Exception {
    try (HibpSet s = HibpSet.open(set)) {
      s.verify();
      if (s.entryCount() == 0) {
        // Well formed, but the gateway refuses it (it would call every password safe): not a set to put in place.
        spec.commandLine().getErr().println(spec.qualifiedName() + ": " + set + ": holds no entries, which the gateway refuses");
        return Main.NEGATIVE;
      }
      spec.commandLine().getOut().printf("OK %s: %,d entries; checksums, structure and order verified%n",
          set, s.entryCount());
      return Main.OK;
    } catch (CorruptSetException e) {
      spec.commandLine().getErr().println(spec.qualifiedName() + ": " + set + ": damaged: " + e.getMessage());
      return Main.NEGATIVE;
    }
  }
}
