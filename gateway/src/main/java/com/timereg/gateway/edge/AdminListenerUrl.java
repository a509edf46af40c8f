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
 * the listener is bound, removed at stop.
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
      Files.writeString(tmp, url + "\n", StandardCharsets.US_ASCII);
      Files.move(tmp, dataDir.resolve(FILE_NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static void delete(Path dataDir) throws IOException {
    Files.deleteIfExists(dataDir.resolve(FILE_NAME));
  }
}
