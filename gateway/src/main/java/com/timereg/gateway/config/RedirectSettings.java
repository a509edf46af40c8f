package com.timereg.gateway.config;

/**
 * The optional plain-HTTP listener, which only redirects to HTTPS.
 *
 * @param enabled off by default: nothing should be served in the clear unless asked for
 * @param host bind address
 * @param port plain-HTTP port
 * @param httpsPort the port the redirects name, as clients reach the public listener (443 behind a port mapping
 *     such as {@code -p 443:8443}, then left out of the Location); 0 for the public listener's own port
 */
public record RedirectSettings(boolean enabled, String host, int port, int httpsPort) {
  public static final int DEFAULT_PORT = 8080;
  /** The public listener's own port. */
  public static final int PUBLIC_PORT = 0;
}
