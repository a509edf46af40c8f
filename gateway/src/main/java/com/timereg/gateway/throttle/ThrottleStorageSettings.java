package com.timereg.gateway.throttle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where and how large the throttle maps are.
 *
 * @param dataDirectory directory of the map files ({@code data/throttle})
 * @param clientEntries client keys the client map holds (1 000 000: a file of about 120 MB, {@link #BYTES_PER_ENTRY}
 *     each, taken on disk when the map is created, and mapped into memory); past {@link
 *     ThrottlePolicy#degradeFillRatio()} of it new clients count at range level only
 * @param rangeEntries range keys the range map holds (250 000, about 30 MB)
 */
public record ThrottleStorageSettings(Path dataDirectory, long clientEntries, long rangeEntries) {
  public static final Path DEFAULT_DATA_DIRECTORY = Path.of("data", "throttle");
  public static final long DEFAULT_CLIENT_ENTRIES = 1_000_000;
  public static final long DEFAULT_RANGE_ENTRIES = 250_000;
  /**
   * What one configured entry costs in the map's file (Chronicle Map 2026.1, 17-byte keys, 88-byte values: 121 MB
   * for 1 000 000, 1.2 GB for 10 000 000, all of it allocated at creation, not sparse), and in memory as the map is
   * used.
   */
  public static final long BYTES_PER_ENTRY = 121;
  /**
   * Most entries a map may be configured with: about 6 GB of file and of mapped memory, 50 times the default, more
   * client addresses than a node sees fail within two windows. 500 000 000, the bound before, asked for about 60 GB
   * per map, written out at start (and twice that while a resize copies the old file into the new one).
   */
  public static final long MAX_ENTRIES = 50_000_000;

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
