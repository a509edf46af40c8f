package com.timereg.gateway.config;

import java.time.Duration;
import java.util.Optional;

/**
 * Where PostgreSQL is. {@code GATEWAY_DATABASE_URL} (postgresql://user:pass@host:port/db), when set,
 * takes precedence over the individual keys.
 */
public record DatabaseConfig(
    Optional<String> url, String host, int port, String name, String user, Optional<Secret> password,
    int poolSize, Duration connectTimeout) {
  public static final String URL_ENV = "GATEWAY_DATABASE_URL";
  public static final int DEFAULT_POOL_SIZE = 10;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
}
