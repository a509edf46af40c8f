package com.timereg.gateway.loadtest;

import java.util.Arrays;
import java.util.List;

/**
 * What authenticated users request through the gateway: {@code -Dpages} (comma-separated
 * paths, visited in turn) and {@code -DidentityPath}, a page answering JSON with the user's login
 * name in {@code $.user} (the demo backend's {@code /api/me}), or {@code none} for a backend that
 * has no such page. The defaults are the demo backend's.
 */
record Pages(List<String> paths, String identityPath) {
  static final String DEFAULT_PAGES = "/api/timesheets,/api/me";
  static final String DEFAULT_IDENTITY = "/api/me";

  Pages {
    if (paths.isEmpty() || paths.stream().anyMatch(p -> !p.startsWith("/"))) {
      throw new IllegalArgumentException("-Dpages must be paths starting with /, was " + paths);
    }
    // Gatling puts a path straight after baseUrl (api/me: https://127.0.0.1:8443api/me, every identity check
    // failing as if the gateway were broken) and sends a whole URL where it points, with the user's bearer token.
    if (!identityPath.isEmpty() && !identityPath.startsWith("/")) {
      throw new IllegalArgumentException("-DidentityPath must be a path starting with / or none, was " + identityPath);
    }
  }

  static Pages fromSystemProperties() {
    return fromSystemProperties("pages", DEFAULT_PAGES);
  }

  static Pages fromSystemProperties(String property, String defaultPages) {
    List<String> paths = Arrays.stream(Params.string(property, defaultPages).split(","))
        .map(String::trim).filter(p -> !p.isEmpty()).toList();
    String identity = Params.string("identityPath", DEFAULT_IDENTITY);
    return new Pages(paths, identity.equalsIgnoreCase("none") ? "" : identity);
  }

  /** The {@code i}-th page view's path, going round the list. */
  String path(int i) {
    return paths.get(Math.floorMod(i, paths.size()));
  }
}
