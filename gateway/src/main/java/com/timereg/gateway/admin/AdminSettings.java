package com.timereg.gateway.admin;

/**
 * The admin listener (health, metrics, later the security console). Loopback by default so that
 * nothing administrative is reachable from outside unless an operator decides so.
 */
public record AdminSettings(String host, int port) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 9090;
}
