package com.timereg.gateway.edge;

import com.timereg.gateway.clientip.IpLiterals;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@value #FILE_NAME} in the data directory: where this node's admin listener answers, as a local probe reaches
 * it ({@code http://127.0.0.1:9090}, {@code https://127.0.0.1:9443}). The image's health check reads it, so a port,
 * an address or TLS set in the mounted configuration does not leave the container unhealthy for good. Written once
 * the listener is bound, removed at stop. Its second line is the process id of the gateway that wrote it, so a file
 * left by one that never stopped (kill -9, a crash, the power cut) is known for what it is: the health check refuses
 * a file without a process id or whose process is gone, and a start removes one left over as soon as it holds the
 * data directory (the throttle maps' lock), before it listens: in a container the gateway is process 1 again after a
 * restart, and the file would otherwise send the probe to the old port during the start.
 */
final class AdminListenerUrl {
  static final String FILE_NAME = "admin-listener.url";

  private AdminListenerUrl() {}

  /** The URL of a listener bound to {@code host}: a wildcard address is reached on loopback. */
  static String of(boolean tls, String host, int port) {
    InetAddress bound = IpLiterals.parse(host);
    String reach;
    if (bound == null) {
      reach = host; // a host name, as configured
    } else if (bound.isAnyLocalAddress()) {
      reach = bound instanceof Inet6Address ? "[::1]" : "127.0.0.1";
    } else {
      reach = bound instanceof Inet6Address ? "[" + bound.getHostAddress() + "]" : bound.getHostAddress();
    }
    return (tls ? "https" : "http") + "://" + reach + ":" + port;
  }

  /** Replaces the file in one rename, so a probe never reads half of it. */
  static void write(Path dataDir, String url) throws IOException {
    Files.createDirectories(dataDir);
    Path tmp = Files.createTempFile(dataDir, FILE_NAME, ".tmp");
    try {
      Files.writeString(tmp, url + "\n" + ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
      Files.move(tmp, dataDir.resolve(FILE_NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Removes the file; true if there was one. */
  static boolean delete(Path dataDir) throws IOException {
    return Files.deleteIfExists(dataDir.resolve(FILE_NAME));
  }
}
