package com.timereg.gateway.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which PostgreSQL development mode and tests use: the server named by {@value #URL_ENV} when that
 * is set, otherwise a {@link LocalPostgres} in the given directory. Production takes its database
 * from the configuration instead.
 */
public final class DevDatabase implements AutoCloseable {
  /** {@code postgresql://user:password@host:port/database} of a server to use instead of a local one. */
  public static final String URL_ENV = "GATEWAY_DATABASE_URL";
  private static final Logger LOG = LoggerFactory.getLogger(DevDatabase.class);

  private final ConnectionSettings settings;
  private final LocalPostgres local;

  private DevDatabase(ConnectionSettings settings, LocalPostgres local) {
    this.settings = settings;
    this.local = local;
  }

  /**
   * @param env the process environment (pass {@code System.getenv()})
   * @param localDir where a local cluster lives; untouched when {@value #URL_ENV} is set
   */
  public static DevDatabase open(Map<String, String> env, Path localDir) throws IOException {
    String url = env.get(URL_ENV);
    if (url != null && !url.isBlank()) {
      ConnectionSettings fromEnv;
      try {
        fromEnv = ConnectionSettings.fromUrl(url);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(URL_ENV + ": " + e.getMessage(), e);
      }
      LOG.info("Using the PostgreSQL server from {}: {}", URL_ENV, fromEnv);
      return new DevDatabase(fromEnv, null);
    }
    LocalPostgres pg = LocalPostgres.open(localDir);
    return new DevDatabase(pg.settings(), pg);
  }

  public ConnectionSettings settings() {
    return settings;
  }

  /** The local server, when one was started (absent with {@value #URL_ENV}). */
  public Optional<LocalPostgres> local() {
    return Optional.ofNullable(local);
  }

  /** Stops the local server, if any; a server from {@value #URL_ENV} is left alone. */
  @Override
  public void close() throws IOException {
    if (local != null) {
      local.stop();
    }
  }
}
