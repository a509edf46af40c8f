package com.timereg.gateway.breach;

import com.nulabinc.zxcvbn.StandardDictionaries;
import com.timereg.hibp.HibpSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dev mode's breach set, so the password check works out of the box without the 40 GB download:
 * the 30,000 most common passwords that zxcvbn4j ships (its {@code passwords.txt} frequency list,
 * most common first) plus random filler hashes, about 0.6 MB, built in well under a second.
 * Never for production: it knows only the most common passwords.
 */
public final class DemoSet {
  private static final Logger LOG = LoggerFactory.getLogger(DemoSet.class);

  /** Random hashes besides the passwords, so the set is not trivially small (lookups behave as in a real one). */
  public static final int FILLER_ENTRIES = 100_000;
  /** HIBP's count for "123456", the top of the list; rank r gets about TOP_COUNT / r (Zipf, as real lists are). */
  static final long TOP_COUNT = 37_359_195;
  private static final long SEED = 20_260_101;

  private DemoSet() {}

  /** Builds the demo set at {@code file} unless an intact set is already there; returns {@code file}. */
  public static Path ensure(Path file, Clock clock) throws IOException {
    if (Files.isRegularFile(file)) {
      try (HibpSet existing = HibpSet.open(file)) {
        // The whole file, not only the header that open checks: the gateway verifies the set when it loads it,
        // and a damaged one reused here would leave dev mode refusing every password change.
        existing.verify();
        LOG.info("dev mode: reusing the demo breach set {} ({} entries)", file, existing.entryCount());
        return file;
      } catch (IOException e) {
        LOG.warn("dev mode: the demo breach set {} is unreadable or damaged ({}); building it again", file,
            e.getMessage());
      }
    }
    long start = System.nanoTime();
    long entries = BreachSetFiles.write(file, commonPasswords(), FILLER_ENTRIES, SEED, clock.instant());
    LOG.info("dev mode: built the demo breach set {} ({} entries: zxcvbn's common passwords plus filler) in {} ms",
        file, entries, (System.nanoTime() - start) / 1_000_000);
    return file;
  }

  /** zxcvbn4j's common-password list with Zipf-like counts by rank. */
  static Map<String, Long> commonPasswords() throws IOException {
    List<String> ranked = StandardDictionaries.PASSWORDS_LOADER.load().getFrequencies();
    Map<String, Long> counts = new LinkedHashMap<>();
    for (int rank = 1; rank <= ranked.size(); rank++) {
      counts.putIfAbsent(ranked.get(rank - 1), Math.max(1, TOP_COUNT / rank));
    }
    return counts;
  }
}
