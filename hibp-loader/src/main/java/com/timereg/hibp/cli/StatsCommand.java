package com.timereg.hibp.cli;

import com.timereg.hibp.HibpSet;
import com.timereg.hibp.HibpSetFormat;
import com.timereg.hibp.HibpSetHeader;
import com.timereg.hibp.HibpSetParameters;
import com.timereg.hibp.PrevalenceClass;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "stats", mixinStandardHelpOptions = true,
    description = "Shows a set's entries, size, bytes per entry, false-positive rate, classes and build time.")
final class StatsCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "<set>")
  Path set;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (HibpSet s = Main.openSet(set)) {
      HibpSetHeader h = s.header();
      HibpSetParameters p = h.parameters();
      long n = h.entryCount();
      out.printf("set                  %s%n", set);
      out.printf("build time           %s%n", h.buildTime());
      out.printf("entries              %,d%n", n);
      out.printf("size                 %,d bytes%n", h.fileLength());
      out.printf("bytes per entry      %.3f%n", n == 0 ? 0.0 : (double) h.fileLength() / n);
      out.printf("false-positive rate  %.3g (entries / (buckets x 2^fingerprint bits))%n", h.falsePositiveRate());
      out.printf("buckets              %,d%s%n", p.bucketCount(),
          n == 0 ? "" : String.format(Locale.ROOT, " (%.3f per entry)", (double) p.bucketCount() / n));
      out.printf("fingerprint bits     %d%n", p.fingerprintBits());
      out.printf("class bits           %d%n", p.classBits());
      out.printf("buckets per block    %d (%d-byte blocks, %,d of them overflowed)%n", p.bucketsPerBlock(),
          HibpSetFormat.BLOCK_BYTES, h.overflowBlocks());
      out.println("prevalence classes   class  counts                 entries        share");
      long[] histogram = h.classHistogram();
      for (int c = 0; c < histogram.length; c++) {
        long upper = PrevalenceClass.upperBound(c, p.classBits());
        String range = PrevalenceClass.representative(c) + (upper == Long.MAX_VALUE ? " and more" : ".." + upper);
        out.printf("                     %5d  %-20s %,15d %6.2f%%%n", c, range, histogram[c],
            n == 0 ? 0.0 : 100.0 * histogram[c] / n);
      }
    }
    return Main.OK;
  }
}
