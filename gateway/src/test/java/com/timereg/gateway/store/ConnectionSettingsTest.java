package com.timereg.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionSettingsTest {

  @Test
  void parsesUserPasswordHostPortAndDatabaseFromUrl() {
    ConnectionSettings s = ConnectionSettings.fromUrl("postgresql://app:s%40cr+t%2Fx@db.internal:6543/gw");

    assertThat(s).isEqualTo(new ConnectionSettings("db.internal", 6543, "gw", "app", "s@cr+t/x"));
  }

  @Test
  void defaultsPortAndAcceptsPostgresSchemeAndIpv6Host() {
    assertThat(ConnectionSettings.fromUrl("postgres://app:pw@localhost/gw").port()).isEqualTo(5432);
    ConnectionSettings v6 = ConnectionSettings.fromUrl("postgresql://app:pw@[::1]:5433/gw");
    assertThat(v6.host()).isEqualTo("::1");
    assertThat(v6.jdbcUrl("disable")).isEqualTo("jdbc:postgresql://[::1]:5433/gw?sslmode=disable");
  }

  @Test
  void acceptsAHostNameWithAnUnderscoreAsContainerServiceNamesHaveThem() {
    // java.net.URI takes such an authority for a registry name: no host, no user info.
    assertThat(ConnectionSettings.fromUrl("postgresql://app:s%40cret@timereg_db:6543/gw"))
        .isEqualTo(new ConnectionSettings("timereg_db", 6543, "gw", "app", "s@cret"));
    assertThat(ConnectionSettings.fromUrl("postgres://app@pg_1/gw"))
        .isEqualTo(new ConnectionSettings("pg_1", 5432, "gw", "app", ""));
  }

  @Test
  void refusesSeveralHostsSayingSoWithoutRepeatingThePassword() {
    assertThatThrownBy(() -> ConnectionSettings.fromUrl("postgresql://app:topsecret@db1:5432,db2:5432/gw"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("one host")
        .message().doesNotContain("topsecret");
  }

  @Test
  void acceptsUrlWithoutPassword() {
    assertThat(ConnectionSettings.fromUrl("postgresql://app@localhost:5432/gw").password()).isEmpty();
  }

  @Test
  void refusesIncompleteOrAmbiguousUrlsWithoutRepeatingThePassword() {
    for (String url : new String[] {
        "postgresql://app:topsecret@localhost:5432/gw?sslmode=verify-full",
        "postgresql://app:topsecret@localhost:5432/",
        "postgresql://app:topsecret@localhost:5432/a/b",
        "mysql://app:topsecret@localhost:5432/gw",
        "postgresql://localhost:5432/gw",
        "postgresql://app:topsecret@:5432/gw"}) {
      assertThatThrownBy(() -> ConnectionSettings.fromUrl(url))
          .as(url)
          .isInstanceOf(IllegalArgumentException.class)
          .message().doesNotContain("topsecret");
    }
  }

  @Test
  void theJdbcUrlNamesTheSameDatabaseAndCannotBeGivenParametersByTheName() throws Exception {
    // pgjdbc (the migrations) percent-decodes the database name and reads parameters after a '?': the name
    // the Vert.x pool connects to must reach it unchanged, and never widen or weaken its parameters.
    for (String name : new String[] {"time+reg", "50%off", "a b", "gateway?sslmode=disable&x=", "gate#way", "zeit€"}) {
      ConnectionSettings c = new ConnectionSettings("db.example", 5432, name, "u", "");
      java.util.Properties parsed = org.postgresql.Driver.parseURL(c.jdbcUrl("verify-full"), null);
      assertThat(parsed).as("the JDBC URL for database '%s'", name).isNotNull();
      assertThat(parsed.getProperty("PGDBNAME")).isEqualTo(name);
      assertThat(parsed.getProperty("sslmode")).isEqualTo("verify-full");
    }
  }

  @Test
  void toStringMasksThePassword() {
    ConnectionSettings s = new ConnectionSettings("h", 1, "d", "u", "topsecret");

    assertThat(s.toString()).isEqualTo("postgresql://u:****@h:1/d");
  }

  @Test
  void writesLibpqEnvironmentReadableByOwnerOnly(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("dev-postgres.env");
    new ConnectionSettings("127.0.0.1", 55432, "gateway", "gateway", "it's").writeEnvFile(file);

    assertThat(Files.readAllLines(file)).containsExactly(
        "PGHOST=127.0.0.1", "PGPORT=55432", "PGUSER=gateway", "PGDATABASE=gateway", "PGPASSWORD='it'\\''s'");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
  }

  @Test
  void envFileLeavesOutAnEmptyPassword(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("dev-postgres.env");
    new ConnectionSettings("127.0.0.1", 5432, "gateway", "gateway", "").writeEnvFile(file);

    assertThat(Files.readAllLines(file)).noneMatch(l -> l.startsWith("PGPASSWORD"));
  }
}
