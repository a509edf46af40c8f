package com.timereg.gateway.throttle;

import com.timereg.gateway.clientip.AddressKey;
import com.timereg.gateway.clientip.IpLiterals;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link TruncatedMapFileTest}: opens the clients map of a data directory whose file
 * was cut short, reads and writes every key, and says how it went. A fault while touching the mapping
 * (SIGBUS) kills this JVM, not the one running the tests.
 */
public final class TruncatedMapChild {
  private TruncatedMapChild() {}

  public static void main(String[] args) throws Exception {
    try (ChronicleThrottleStore store = ChronicleThrottleStore.open(Path.of(args[0]), "clients", 1000)) {
      for (int i = 1; i <= 250; i++) {
        AddressKey key = AddressKey.of(IpLiterals.parse("192.0.2." + i), 32);
        store.blockedUntil(key);
        store.update(key, true, (r, existed) -> {
          r.totalFailures++;
          return null;
        });
      }
      store.forEach((k, r) -> { });
      System.out.println("worked with " + store.size() + " entries");
    }
    System.out.flush();
  }
}
