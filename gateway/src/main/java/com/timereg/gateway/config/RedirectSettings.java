package com.timereg.gateway.config;

/**
 * The optional plain-HTTP listener, which only redirects to HTTPS.
 *
 * @param enabled off by default: nothing should be served in the clear unless asked for
 * @param host bind address
 * @param port plain-HTTP port
 */
public record RedirectSettings(boolean enabled, String host, int port) {
  public static final int DEFAULT_PORT = 8080;
}
