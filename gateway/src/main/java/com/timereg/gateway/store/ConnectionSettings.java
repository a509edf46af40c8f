package com.timereg.gateway.store;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where a PostgreSQL database is and who to log in as. Immutable; {@link #toString()} masks the
 * password so the record can be logged.
 *
 * @param password the empty string when the server needs none
 */
public record ConnectionSettings(String host, int port, String database, String user, String password) {
  public static final int DEFAULT_PORT = 5432;
  /** A host name as libpq takes it, underscores included, and an optional port. */
  private static final java.util.regex.Pattern REGISTRY_HOST_PORT =
      java.util.regex.Pattern.compile("([A-Za-z0-9_][A-Za-z0-9_.-]*)(?::([0-9]{1,5}))?");

  public ConnectionSettings {
    requireText(host, "host");
    requireText(database, "database");
    requireText(user, "user");
    Objects.requireNonNull(password, "password");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("database port must be 1..65535, was " + port);
    }
  }

  /**
   * Parses {@code postgresql://user:password@host:port/database} (scheme {@code postgres://} too;
   * user and password percent-encoded). Query parameters are refused rather than ignored: silently
   * dropping {@code ?sslmode=verify-full} would weaken a connection its owner meant to protect.
   * Messages never repeat the URL, because it holds the password.
   */
  public static ConnectionSettings fromUrl(String url) {
    URI uri;
    try {
      uri = new URI(Objects.requireNonNull(url, "url").trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("database URL is not a valid URI (position " + e.getIndex() + ")");
    }
    if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
      throw new IllegalArgumentException("database URL must start with postgresql://");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "database URL must not carry query parameters; set the SSL mode in the gateway configuration");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (path.length() < 2 || path.indexOf('/', 1) >= 0) {
      throw new IllegalArgumentException("database URL must name exactly one database: postgresql://user:password@host:port/database");
    }
    String userInfo;
    String host;
    int port;
    if (uri.getHost() != null) {
      userInfo = uri.getRawUserInfo();
      host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
      port = uri.getPort();
    } else {
      // URI takes an authority whose host is no Internet host name (an underscore, as container service names
      // have: timereg_db) for a registry name, without host or user info; libpq takes it, so parse it here.
      String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
      int at = authority.lastIndexOf('@');
      userInfo = at < 0 ? null : authority.substring(0, at);
      String hostPort = authority.substring(at + 1);
      if (hostPort.contains(",")) {
        throw new IllegalArgumentException("database URL names several hosts; it takes one host only");
      }
      java.util.regex.Matcher m = REGISTRY_HOST_PORT.matcher(hostPort);
      if (!m.matches()) {
        throw new IllegalArgumentException("database URL has no host");
      }
      host = m.group(1);
      port = m.group(2) == null ? -1 : Integer.parseInt(m.group(2));
    }
    if (userInfo == null || userInfo.isEmpty()) {
      throw new IllegalArgumentException("database URL has no user");
    }
    int colon = userInfo.indexOf(':');
    String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
    String password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
    return new ConnectionSettings(host, port < 0 ? DEFAULT_PORT : port, decode(path.substring(1)), user, password);
  }

  public ConnectionSettings withDatabase(String otherDatabase) {
    return new ConnectionSettings(host, port, otherDatabase, user, password);
  }

  /**
   * The JDBC URL without credentials (Flyway and admin tasks pass those separately). The database name is
   * percent-encoded: pgjdbc decodes it (a '+' became a space, a '%' failed) and reads parameters after a '?', so
   * written as it is the migrations went to another database than the pool, or none.
   */
  public String jdbcUrl(String sslMode) {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "jdbc:postgresql://" + h + ":" + port + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8)
        + "?sslmode=" + sslMode;
  }

  /** libpq environment lines, so {@code psql} reaches the same database: {@code set -a; . FILE; psql}. */
  public List<String> envLines() {
    List<String> lines = new ArrayList<>();
    lines.add("PGHOST=" + shellQuote(host));
    lines.add("PGPORT=" + port);
    lines.add("PGUSER=" + shellQuote(user));
    lines.add("PGDATABASE=" + shellQuote(database));
    if (!password.isEmpty()) {
      lines.add("PGPASSWORD=" + shellQuote(password));
    }
    return lines;
  }

  /** Writes {@link #envLines()} to {@code file}, readable by the owner only since it holds the password. */
  public void writeEnvFile(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(tmp, envLines(), StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public String toString() {
    return "postgresql://" + user + (password.isEmpty() ? "" : ":****") + "@" + host + ":" + port + "/" + database;
  }

  private static String decode(String raw) {
    // URLDecoder would turn '+' into a space, which is wrong for URI user info.
    return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String shellQuote(String value) {
    return value.matches("[A-Za-z0-9_.:/-]+") ? value : "'" + value.replace("'", "'\\''") + "'";
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("database " + name + " must not be empty");
    }
  }
}
