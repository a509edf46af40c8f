package com.timereg.gateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway counts failures per client address, so a pool must really be one address per virtual user, the
 * same for all of that user's requests, as README.md ("Load tests", sources and clientAddressHeader) says. The
 * stub records where each login came from (the socket peer, or the header) and where each request with its
 * token came from.
 */
class SourceAddressesIT {
  @TempDir
  Path tmp;

  private HttpServer stub;
  private final AtomicInteger logins = new AtomicInteger();
  /** token: the client address of its login. */
  private final Map<String, String> loginAddress = new ConcurrentHashMap<>();
  /** Requests whose client address was not their login's, as "token: login address, request address". */
  private final Set<String> moved = ConcurrentHashMap.newKeySet();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile String header;

  @BeforeEach
  void startStub() throws IOException {
    stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stub.setExecutor(Executors.newFixedThreadPool(4));
    stub.createContext("/auth/token", ex -> {
      ex.getRequestBody().readAllBytes();
      String token = "t" + logins.incrementAndGet();
      loginAddress.put(token, client(ex));
      answer(ex, "{\"access_token\":\"" + token + "\",\"refresh_token\":\"r\",\"expires_in\":3600}");
    });
    stub.createContext("/api/timesheets", ex -> {
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      String token = auth == null ? "" : auth.substring("Bearer ".length());
      String from = client(ex);
      requests.incrementAndGet();
      if (!from.equals(loginAddress.get(token))) {
        moved.add(token + ": " + loginAddress.get(token) + ", " + from);
      }
      try {
        // The target's speed, so that the users' loops do not spin the CPU; not a wait for anything.
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      answer(ex, "[]");
    });
    stub.start();
  }

  @AfterEach
  void stopStub() {
    stub.stop(0);
  }

  @Test
  void eachVirtualUserBindsOneAddressOfThePoolOfItsOwn() {
    assertThat(run(Map.of())).isEqualTo(GatlingRunner.SUCCESS);
    assertDistinctAndStable();
  }

  @Test
  void withAClientAddressHeaderEachVirtualUserSendsOneAddressOfThePoolOfItsOwn() {
    header = "X-Forwarded-For";
    assertThat(run(Map.of("clientAddressHeader", header))).isEqualTo(GatlingRunner.SUCCESS);
    assertDistinctAndStable();
  }

  @Test
  void aClientAddressHeaderWithoutAPoolStopsTheRunBeforeAnyTraffic() {
    // Without -Dsources the header was dropped without a word: every user came from the generator's own address.
    Map<String, String> params = new HashMap<>(Map.of("clientAddressHeader", "X-Forwarded-For"));
    params.put("sources", "");
    int status;
    try {
      status = run(params);
    } catch (Exception e) {
      // Gatling rethrows the simulation's refusal, wrapped (InvocationTargetException) and unchecked.
      assertThat(e).rootCause().hasMessageContaining("-DclientAddressHeader").hasMessageContaining("-Dsources");
      status = -1;
    }
    assertThat(status).isNotEqualTo(GatlingRunner.SUCCESS);
    assertThat(logins.get()).withFailMessage("%d logins reached the target", logins.get()).isZero();
  }

  private void assertDistinctAndStable() {
    assertThat(logins.get()).isEqualTo(6);
    assertThat(Set.copyOf(loginAddress.values()))
        .containsExactlyInAnyOrder("127.9.0.1", "127.9.0.2", "127.9.0.3", "127.9.0.4", "127.9.0.5", "127.9.0.6");
    assertThat(requests.get()).isPositive();
    assertThat(moved).isEmpty();
  }

  private int run(Map<String, String> extra) {
    Map<String, String> params = new HashMap<>(Map.of(
        "baseUrl", "http://127.0.0.1:" + stub.getAddress().getPort(),
        // .1 to .6: six addresses for six users.
        "sources", "127.9.0.0/29",
        "concurrency", "6",
        "duration", "3s",
        "maxFailedPct", "0",
        "p99Ms", "60000"));
    params.putAll(extra);
    return GatlingRunner.run(ProxyThroughput.class, params, tmp.resolve("gatling"));
  }

  private String client(HttpExchange ex) {
    String h = header;
    return h == null ? ex.getRemoteAddress().getAddress().getHostAddress() : String.valueOf(ex.getRequestHeaders().getFirst(h));
  }

  private static void answer(HttpExchange ex, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
