package com.timereg.gateway.throttle;

import com.timereg.gateway.clientip.AddressKey;
import com.timereg.gateway.clientip.IpLiterals;
import java.nio.file.Path;

/** Run in a child JVM by {@link ChronicleThrottleStoreTest}: writes, says so, and waits to be killed. */
public final class ChronicleCrashChild {
  private ChronicleCrashChild() {}

  public static void main(String[] args) throws Exception {
    ChronicleThrottleStore store = ChronicleThrottleStore.open(Path.of(args[0]), "clients", 1000);
    for (int i = 1; i <= 200; i++) {
      long until = 1000L + i;
      store.update(AddressKey.of(IpLiterals.parse("192.0.2." + i % 250), 32), true, (r, existed) -> {
        r.blockedUntil = until;
        return null;
      });
    }
    System.out.println("written");
    System.out.flush();
    Thread.sleep(60_000); // never closes: the parent kills it with SIGKILL
  }
}
