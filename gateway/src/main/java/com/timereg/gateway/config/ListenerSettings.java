package com.timereg.gateway.config;

import java.time.Duration;
import java.util.List;

/**
 * The public HTTPS listener.
 *
 * @param host bind address
 * @param port HTTPS port
 * @param maxHeaderSize total size of request headers, bytes
 * @param maxInitialLineLength request line length, bytes
 * @param maxBodySize largest request body the gateway accepts or forwards, bytes
 * @param idleTimeout a connection idle this long is closed
 * @param hstsMaxAge Strict-Transport-Security max-age; zero disables the header
 * @param proxyProtocol accept the PROXY protocol (v1/v2) from a load balancer in front
 * @param eventLoops listener instances, one per event loop
 * @param allowedHosts host names (lower case, no port) requests may name in Host or an absolute-form target;
 *     one starting with a dot also allows every subdomain; empty: any host (Django's ALLOWED_HOSTS)
 * @param shutdownDelay on stopping, how long the listener still takes new connections while readiness
 *     already answers 503, so that a load balancer sees it before connections are refused
 * @param shutdownGrace on stopping, how long requests already being answered may take to finish; what is
 *     still open then is closed
 * @param accessLog where the access log goes, one JSON line per answered request: {@value #ACCESS_LOG_STDOUT},
 *     {@value #ACCESS_LOG_OFF}, or a file (appended to)
 */
public record ListenerSettings(
    String host, int port, int maxHeaderSize, int maxInitialLineLength, long maxBodySize,
    Duration idleTimeout, Duration hstsMaxAge, boolean proxyProtocol, int eventLoops, List<String> allowedHosts,
    Duration shutdownDelay, Duration shutdownGrace, String accessLog) {

  public ListenerSettings {
    allowedHosts = List.copyOf(allowedHosts);
  }

  /**
   * Whether a request naming {@code host} (any case, with or without a port, as in a Host header) is
   * served; the empty string names none. Nothing is parsed while the list is empty.
   */
  public boolean allowsHost(String host) {
    if (allowedHosts.isEmpty() || "".equals(host)) {
      return true;
    }
    if (host == null) {
      return false;
    }
    int colon = host.lastIndexOf(':');
    String h = (colon < 0 || host.indexOf(']', colon) >= 0 ? host : host.substring(0, colon))
        .toLowerCase(java.util.Locale.ROOT);
    if (h.isEmpty()) {
      return false;
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    for (String allowed : allowedHosts) {
      if (allowed.startsWith(".") ? h.equals(allowed.substring(1)) || h.endsWith(allowed) : h.equals(allowed)) {
        return true;
      }
    }
    return false;
  }

  public static final int DEFAULT_PORT = 8443;
  public static final int DEFAULT_MAX_HEADER_SIZE = 16 * 1024;
  public static final int DEFAULT_MAX_INITIAL_LINE_LENGTH = 8 * 1024;
  public static final long DEFAULT_MAX_BODY_SIZE = 10L * 1024 * 1024;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_HSTS_MAX_AGE = Duration.ofDays(365);
  /** Like nginx and Traefik: refuse new connections at once; a Kubernetes preStop hook or this delay covers the endpoint update. */
  public static final Duration DEFAULT_SHUTDOWN_DELAY = Duration.ZERO;
  /** Longer than any answer the backend should take, and within Kubernetes' default 30 s termination grace. */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(20);
  public static final String ACCESS_LOG_STDOUT = "stdout";
  public static final String ACCESS_LOG_OFF = "off";
  /** On, as nginx's is: security staff need to see what an address did before they block or lift it. */
  public static final String DEFAULT_ACCESS_LOG = ACCESS_LOG_STDOUT;
}
