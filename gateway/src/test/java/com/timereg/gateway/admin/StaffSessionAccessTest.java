package com.timereg.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Staff sessions on an exposed console: the token is checked by a {@link SessionVerifier}, the
 * role and the account's state are read from {@code users} on real PostgreSQL at every request.
 *
 * <p>The verifier here maps fixed tokens to user ids, so this test pins the admin side alone
 * (token sources, role lookup, 401 versus 403, 503 when the roles cannot be read);
 * {@code ExposedAdminListenerTest} runs the same path with real tokens from {@code SessionService}.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class StaffSessionAccessTest {
  static Vertx vertx;
  static Database database;
  static HttpServer server;
  static AdminHttp http;
  static long bob;
  static long carol;
  static long dave;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO customers (slug, name) VALUES ('acme', 'Acme')");
      bob = insertUser(c, "bob@acme.test", true, "{user,security}");
      carol = insertUser(c, "carol@acme.test", true, "{user}");
      dave = insertUser(c, "dave@acme.test", false, "{security}");
    }
    vertx = Vertx.vertx();
    database = Database.create(vertx, db.databaseSettings());
    Map<String, Long> tokens = Map.of("tok-bob", bob, "tok-carol", carol, "tok-dave", dave, "tok-ghost", 999_999L);
    SessionVerifier verifier = token -> tokens.containsKey(token)
        ? Future.succeededFuture(new SessionVerifier.SessionUser(tokens.get(token), "as-in-token"))
        : Future.failedFuture(new IllegalArgumentException("bad signature"));
    AdminAccess access = new AdminAccess(AdminAccess.Mode.STAFF, verifier,
        new StaffDirectory(database.pool(), AdminSettings.DEFAULT_STAFF_ROLE), "__Host-gw-access");
    Router router = Router.router(vertx);
    router.route("/admin/api/*").handler(access);
    router.get("/admin/api/whoami").handler(ctx -> ApiResponses.json(ctx, 200, new JsonObject().put("actor", AdminAccess.actor(ctx))));
    server = Await.await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    http = new AdminHttp(server.actualPort());
  }

  private static long insertUser(Connection c, String name, boolean active, String roles) throws Exception {
    try (PreparedStatement p = c.prepareStatement("INSERT INTO users (customer_id, login_name, active, roles) "
        + "SELECT id, ?, ?, ?::text[] FROM customers WHERE slug = 'acme' RETURNING id")) {
      p.setString(1, name);
      p.setBoolean(2, active);
      p.setString(3, roles);
      try (ResultSet r = p.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  @AfterAll
  static void stop() {
    if (vertx != null) {
      Await.await(vertx.close());
    }
  }

  @Test
  void securityRoleByBearerTokenOrCookieNamesTheStoredLoginName() {
    AdminHttp.Response bearer = http.send("GET", "/admin/api/whoami", null, Map.of("Authorization", "Bearer tok-bob"));
    assertThat(bearer.status()).isEqualTo(200);
    assertThat(bearer.json().getString("actor")).isEqualTo("bob@acme.test");
    AdminHttp.Response cookie = http.send("GET", "/admin/api/whoami", null, Map.of("Cookie", "__Host-gw-access=tok-bob"));
    assertThat(cookie.json().getString("actor")).isEqualTo("bob@acme.test");
  }

  @Test
  void signedInWithoutTheRoleIsForbidden() {
    AdminHttp.Response r = http.send("GET", "/admin/api/whoami", null, Map.of("Authorization", "Bearer tok-carol"));
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().getString("message")).contains("security role");
  }

  @Test
  void inactiveOrDeletedStaffAndBadTokensAreRefused() {
    assertThat(http.send("GET", "/admin/api/whoami", null, Map.of("Authorization", "Bearer tok-dave")).status()).isEqualTo(403);
    assertThat(http.send("GET", "/admin/api/whoami", null, Map.of("Authorization", "Bearer tok-ghost")).status()).isEqualTo(403);
    AdminHttp.Response forged = http.send("GET", "/admin/api/whoami", null, Map.of("Authorization", "Bearer forged"));
    assertThat(forged.status()).isEqualTo(401);
    assertThat(forged.json().getString("error")).isEqualTo("unauthenticated");
    assertThat(http.get("/admin/api/whoami").status()).isEqualTo(401);
  }

  @Test
  void rolesThatCannotBeReadAnswer503NotAccessOrRefusal() {
    Vertx other = Vertx.vertx();
    try {
      Database down = Database.create(other, com.timereg.gateway.store.DatabaseSettings.of(
          new com.timereg.gateway.store.ConnectionSettings("127.0.0.1", 1, "none", "none", "")));
      AdminAccess access = new AdminAccess(AdminAccess.Mode.STAFF,
          token -> Future.succeededFuture(new SessionVerifier.SessionUser(bob, "bob")),
          new StaffDirectory(down.pool(), "security"), "__Host-gw-access");
      Router router = Router.router(other);
      router.route("/admin/api/*").handler(access);
      router.get("/admin/api/whoami").handler(ctx -> ApiResponses.json(ctx, 200, new JsonObject()));
      HttpServer s = Await.await(other.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
      AdminHttp.Response r = new AdminHttp(s.actualPort()).send("GET", "/admin/api/whoami", null,
          Map.of("Authorization", "Bearer anything"));
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.headers().get("retry-after")).isEqualTo("5");
    } finally {
      Await.await(other.close());
    }
  }

  @Test
  void roleTakenAwayLocksOutAtTheNextRequest(TestDatabase db) throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO users (customer_id, login_name, roles) SELECT id, 'erin@acme.test', '{security}' FROM customers");
    }
    long erin;
    try (Connection c = db.openJdbc(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT id FROM users WHERE login_name = 'erin@acme.test'")) {
      r.next();
      erin = r.getLong(1);
    }
    SessionVerifier verifier = token -> Future.succeededFuture(new SessionVerifier.SessionUser(erin, "erin"));
    StaffDirectory staff = new StaffDirectory(database.pool(), "security");
    java.util.Optional<String> before = Await.await(verifier.verify("x").compose(u -> staff.staffLoginName(u.userId())));
    assertThat(before).contains("erin@acme.test");
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("UPDATE users SET roles = '{user}' WHERE login_name = 'erin@acme.test'");
    }
    java.util.Optional<String> after = Await.await(staff.staffLoginName(erin));
    assertThat(after).isEmpty();
  }
}
