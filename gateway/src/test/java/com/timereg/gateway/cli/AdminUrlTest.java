package com.timereg.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What {@code --admin-url} may hold. An admin listener published by a reverse proxy under a path
 * ({@code https://ops.example/gateway/}) is reached under that path, not at the host's root, where some other
 * service would get the staff member's request; and user info, which the CLI would not send, is refused
 * rather than printed back in its messages.
 */
class AdminUrlTest {
  HttpServer server;
  final List<String> paths = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      paths.add(exchange.getRequestURI().getRawPath());
      byte[] body = "{\"message\":\"seen\"}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(403, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static AdminCommandTest.Run gateway(String... args) {
    return AdminCommandTest.gateway(args);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/ops/gateway", "/ops/gateway/"})
  void aPathInTheAdminUrlPrefixesTheApi(String prefix) {
    AdminCommandTest.Run r = gateway("admin", "--admin-url", base() + prefix, "blocks", "explain", "192.0.2.0/24");
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains("403 seen");
    assertThat(paths).containsExactly("/ops/gateway/admin/api/explain/192.0.2.0%2F24");
  }

  @Test
  void withoutAPathTheApiIsAtTheRoot() {
    AdminCommandTest.Run r = gateway("admin", "--admin-url", base() + "/", "events");
    assertThat(r.err()).contains("403 seen");
    assertThat(paths).hasSize(1).allMatch(p -> p.startsWith("/admin/api/events"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://staff:s3cret-pw@127.0.0.1:PORT", "http://s3cret-pw@127.0.0.1:PORT/ops"})
  void userInfoIsRefusedWithoutBeingPrinted(String url) {
    AdminCommandTest.Run r = gateway("admin", "--admin-url", url.replace("PORT", "" + server.getAddress().getPort()), "events");
    assertThat(r.exit()).as("a usage mistake").isEqualTo(2);
    assertThat(r.err()).contains("--admin-url").contains("user").doesNotContain("s3cret").doesNotContain("Exception");
    assertThat(paths).isEmpty();
  }

  /** RFC 3986: a scheme is case-insensitive; an --admin-url pasted as HTTP://... reaches the listener as http://. */
  @ParameterizedTest
  @ValueSource(strings = {"HTTP", "Http"})
  void theSchemeIsCaseInsensitive(String scheme) {
    AdminCommandTest.Run r = gateway("admin", "--admin-url", scheme + base().substring(4) + "/ops", "events");
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains("403 seen");
    assertThat(paths).hasSize(1).allMatch(p -> p.startsWith("/ops/admin/api/events"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"?x=1", "/ops?x=1", "#top", "/ops/../admin"})
  void aQueryAFragmentOrDotSegmentsAreRefused(String suffix) {
    AdminCommandTest.Run r = gateway("admin", "--admin-url", base() + suffix, "events");
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("--admin-url").doesNotContain("Exception");
    assertThat(paths).isEmpty();
  }

  /**
   * A bad --admin-url is a usage mistake like a bad --actor or a --token-file with an http:// URL: exit status 2
   * (scripts tell "fix the command" from "the API refused or is down", 1), with the message naming the option.
   */
  @ParameterizedTest
  @ValueSource(strings = {"http://exa mple:9090", "ftp://127.0.0.1:PORT", "127.0.0.1:PORT", "http://127.0.0.1:99999",
      "https:///nohost"})
  void aBadAdminUrlIsAUsageMistake(String url) {
    AdminCommandTest.Run r = gateway("admin", "--admin-url", url.replace("PORT", "" + server.getAddress().getPort()), "events");
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("--admin-url").doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(paths).isEmpty();
  }
}
