package com.timereg.gateway.throttle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where and how large the throttle maps are.
 *
 * @param dataDirectory directory of the map files ({@code data/throttle})
 * @param clientEntries client keys the client map holds (1 000 000: about 200 MB of file, mostly
 *     sparse); past {@link ThrottlePolicy#degradeFillRatio()} of it new clients count at range level only
 * @param rangeEntries range keys the range map holds (250 000)
 */
public record ThrottleStorageSettings(Path dataDirectory, long clientEntries, long rangeEntries) {
  public static final Path DEFAULT_DATA_DIRECTORY = Path.of("data", "throttle");
  public static final long DEFAULT_CLIENT_ENTRIES = 1_000_000;
  public static final long DEFAULT_RANGE_ENTRIES = 250_000;

  public static final ThrottleStorageSettings DEFAULTS =
      new ThrottleStorageSettings(DEFAULT_DATA_DIRECTORY, DEFAULT_CLIENT_ENTRIES, DEFAULT_RANGE_ENTRIES);

  public List<String> problems() {
    List<String> out = new ArrayList<>();
    if (dataDirectory == null) {
      out.add("throttle data-directory is required");
    }
    if (clientEntries < 1_000) {
      out.add("throttle client-entries must be at least 1000, was " + clientEntries);
    }
    if (rangeEntries < 1_000) {
      out.add("throttle range-entries must be at least 1000, was " + rangeEntries);
    }
    return out;
  }
}
