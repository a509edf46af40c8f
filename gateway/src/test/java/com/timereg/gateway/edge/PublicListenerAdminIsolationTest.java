package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.TrustAllTls;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin routes live on the admin listener only: no spelling of an admin path sent to the
 * public listener (encoded, dot segments, case, doubled slashes, absolute form) returns admin
 * data. Requests are written byte for byte on a TLS socket, since HTTP clients would normalise them.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class PublicListenerAdminIsolationTest {
  @TempDir static Path dir;
  static Gateway gateway;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    gateway = Gateway.start(TestGateways.config(dir, db, Map.of()));
    // Something for admin data to contain, were it ever served: a manual block and a login event.
    HttpResponse<String> made = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gateway.adminPort() + "/admin/api/blocks"))
        .header("X-Requested-With", "gateway-console").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("target", "198.51.100.77")
            .put("duration", "1h").put("reason", "isolation-marker").encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  static final List<String> TARGETS = List.of(
      "/admin", "/admin/", "/admin/api/blocks", "/admin/api/whoami", "/admin/openapi.yaml", "/admin/console.js",
      "/%61dmin/api/blocks", "/%61%64%6d%69%6e/api/blocks", "/admin%2Fapi%2Fblocks", "/admin/api%2Fblocks",
      "/x/../admin/api/blocks", "/x/%2e%2e/admin/api/blocks", "/./admin/api/blocks", "/%2e/admin/api/blocks",
      "/ADMIN/", "/Admin/api/blocks", "//admin/api/blocks", "///admin/api/blocks", "/admin//api/blocks",
      "/admin/api/blocks;x=1", "/admin/api/blocks?q=198.51.100.77", "/admin/api/events", "/admin/api/allowlist",
      "/admin/api/explain/198.51.100.77", "/metrics", "/health/ready", "/public/..%2fadmin/api/blocks",
      "/%2Fadmin/api/blocks", "/admin%00/api/blocks", "/admin\\api\\blocks");

  @Test
  void noSpellingOfAnAdminPathReachesAdminRoutesOnThePublicListener() throws Exception {
    for (String target : TARGETS) {
      for (String method : List.of("GET", "POST", "DELETE")) {
        Answer a = send(method + " " + target + " HTTP/1.1\r\nHost: localhost:" + gateway.publicPort()
            + "\r\nX-Requested-With: gateway-console\r\nX-Admin-Actor: attacker\r\nContent-Length: 0\r\n");
        assertNoAdminData(method + " " + target, a);
      }
    }
  }

  @Test
  void absoluteFormNamingTheAdminListenerStaysOnThePublicRouter() throws Exception {
    String admin = "http://127.0.0.1:" + gateway.adminPort();
    for (String path : List.of("/admin/api/blocks", "/admin/api/whoami", "/metrics")) {
      Answer a = send("GET " + admin + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + gateway.adminPort() + "\r\n");
      assertNoAdminData("absolute " + path, a);
    }
  }

  @Test
  void theSameDataIsOnTheAdminListener() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + gateway.adminPort() + "/admin/api/blocks?q=198.51.100.77")).build(),
        HttpResponse.BodyHandlers.ofString());
    // The marker the isolation test looks for is really what admin data contains.
    assertThat(r.body()).contains("isolation-marker").contains("\"items\"");
  }

  private static void assertNoAdminData(String what, Answer a) {
    // The public router may answer 404 or hand the path to the backend; what it must never do is
    // answer with anything the admin listener serves.
    assertThat(a.body()).as(what)
        .doesNotContain("isolation-marker").doesNotContain("198.51.100.77").doesNotContain("\"items\"")
        .doesNotContain("\"actor\"").doesNotContain("openapi").doesNotContain("jvm_").doesNotContain("gateway_")
        .doesNotContain("Security console").doesNotContain("\"checks\"");
  }

  record Answer(int status, String body) {}

  /** One request on a fresh TLS connection to the public listener; the server may also just close it. */
  private static Answer send(String head) throws Exception {
    SSLContext ctx = TrustAllTls.context();
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
      s.connect(new InetSocketAddress("127.0.0.1", gateway.publicPort()), 5000);
      SSLParameters p = s.getSSLParameters();
      p.setApplicationProtocols(new String[] {"http/1.1"});
      s.setSSLParameters(p);
      s.setSoTimeout(10_000);
      s.getOutputStream().write((head + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        for (int n; (n = in.read(buf)) >= 0; ) {
          all.write(buf, 0, n);
        }
      } catch (java.io.IOException e) {
        // reset after the answer, or no answer at all: either way no admin data
      }
      String text = all.toString(StandardCharsets.UTF_8);
      int status = text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : 0;
      int split = text.indexOf("\r\n\r\n");
      return new Answer(status, split < 0 ? text : text.substring(split + 4));
    }
  }
}
