package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.Gateway;
import com.timereg.gateway.edge.TestGateways;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real logins on the public listener, from real loopback source addresses, reach the console's
 * events through {@link SecurityEvents}: outcome, address, the stored name of an existing user,
 * and never the text typed for a name that does not exist.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class LoginEventsEndToEndTest {
  static final String PASSWORD = "correct horse battery staple 7";
  static final String TYPED_AS_NAME = "my-Secret-Password-typed-in-the-name-field";
  @TempDir static Path dir;
  static Gateway gateway;
  static AdminHttp admin;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO customers (slug, name) VALUES ('acme', 'Acme')");
      try (PreparedStatement p = c.prepareStatement("INSERT INTO users (customer_id, login_name, password_hash) "
          + "SELECT id, 'Dana@Acme.test', ? FROM customers")) {
        p.setString(1, new DjangoPbkdf2Hasher(1_000).hash(PASSWORD));
        p.executeUpdate();
      }
    }
    gateway = Gateway.start(TestGateways.config(dir, db, Map.of()));
    admin = new AdminHttp(gateway.adminPort());
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  private static int tokenLogin(String source, String user, String password) throws Exception {
    String body = new JsonObject().put("username", user).put("password", password).encode();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    RawHttp.Response r = RawHttp.tlsFrom(source, gateway.publicPort(), "POST /auth/token HTTP/1.1\r\nHost: localhost\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n", body);
    return r.status();
  }

  @Test
  void loginOutcomesAppearAmongTheEventsWithTheirAddress() throws Exception {
    assertThat(tokenLogin("127.0.0.21", "dana@acme.test", "wrong password")).isEqualTo(401);
    assertThat(tokenLogin("127.0.0.22", TYPED_AS_NAME, "whatever")).isEqualTo(401);
    assertThat(tokenLogin("127.0.0.23", "dana@acme.test", PASSWORD)).isEqualTo(200);

    AdminHttp.Response r = admin.get("/admin/api/events?type=logins&limit=10");
    assertThat(r.body()).doesNotContain(TYPED_AS_NAME);
    JsonArray items = r.json().getJsonArray("items");
    assertThat(items).hasSize(3);
    JsonObject success = items.getJsonObject(0);
    assertThat(success.getString("address")).isEqualTo("127.0.0.23");
    assertThat(success.getString("outcome")).isEqualTo("succeeded");
    assertThat(success.getString("loginName")).isEqualTo("Dana@Acme.test");
    assertThat(success.getString("detail")).isEqualTo("password");
    JsonObject unknown = items.getJsonObject(1);
    assertThat(unknown.getString("address")).isEqualTo("127.0.0.22");
    assertThat(unknown.getString("detail")).isEqualTo("unknown_user");
    assertThat(unknown.getString("loginName")).isNull();
    JsonObject wrong = items.getJsonObject(2);
    assertThat(wrong.getString("address")).isEqualTo("127.0.0.21");
    assertThat(wrong.getString("outcome")).isEqualTo("failed");
    assertThat(wrong.getString("detail")).isEqualTo("wrong_password");
    assertThat(wrong.getString("loginName")).isEqualTo("Dana@Acme.test");

    JsonObject explained = admin.get("/admin/api/explain/127.0.0.21").json();
    assertThat(explained.getJsonObject("client").getLong("totalFailures")).isEqualTo(1);
    assertThat(explained.getJsonObject("history").getJsonArray("logins")).hasSize(1);
  }
}
