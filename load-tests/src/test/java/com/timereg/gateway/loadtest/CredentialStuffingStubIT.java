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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CredentialStuffing} against stub gateways over plain HTTP, each failing in one way the README says the
 * run shows: its assertions must fail the run. The stub counts invalid logins per client address (the socket
 * peer: the attackers bind their 127.66.x.y addresses), blocks an address after {@value #LIMIT} of them, and,
 * when it blocks ranges, a /24 once {@value #RANGE_LIMIT} of its addresses are blocked, as the gateway's
 * {@code throttle.ip-failure-limit} and {@code throttle.range-blocked-client-limit} do. The demo users log in.
 */
class CredentialStuffingStubIT {
  private static final int LIMIT = 10;
  private static final int RANGE_LIMIT = 5;

  @TempDir
  Path tmp;

  private HttpServer stub;

  @AfterEach
  void stopStub() {
    if (stub != null) {
      stub.stop(0);
    }
  }

  @Test
  void passesAgainstAGatewayThatBlocksAddressesAndTheirRanges() throws IOException {
    start(Behaviour.BLOCKS_ADDRESSES_AND_RANGES);
    assertThat(run()).isEqualTo(GatlingRunner.SUCCESS);
  }

  @Test
  void failsAgainstAGatewayThatNeverBlocksARange() throws IOException {
    // README: with attackersPerRange >= 5 whole ranges get blocked. A gateway that blocks each address but never
    // a range must not pass the run that is to show it.
    start(Behaviour.BLOCKS_ADDRESSES_ONLY);
    assertThat(run()).isEqualTo(GatlingRunner.ASSERTIONS_FAILED);
  }

  @Test
  void failsAgainstAGatewayThatNeverBlocks() throws IOException {
    start(Behaviour.NEVER_BLOCKS);
    assertThat(run()).isEqualTo(GatlingRunner.ASSERTIONS_FAILED);
  }

  @Test
  void failsAgainstAGatewayThatAnswers500() throws IOException {
    start(Behaviour.ANSWERS_500);
    assertThat(run()).isEqualTo(GatlingRunner.ASSERTIONS_FAILED);
  }

  private int run() {
    Map<String, String> params = new HashMap<>();
    params.put("baseUrl", "http://127.0.0.1:" + stub.getAddress().getPort());
    params.put("usersPerSec", "1");
    params.put("duration", "2s");
    params.put("pageViews", "1");
    params.put("thinkTime", "0ms");
    params.put("pages", "/api/timesheets");
    params.put("identityPath", "none");
    params.put("attackRanges", "2");
    params.put("attackersPerRange", "6");
    params.put("attackFirstRange", "127.66.1.0");
    params.put("attackDelay", "0s");
    params.put("attackRampUp", "1s");
    params.put("legitSources", "127.1.0.1");
    params.put("p99Ms", "60000");
    return GatlingRunner.run(CredentialStuffing.class, params, tmp.resolve("gatling"));
  }

  private enum Behaviour { BLOCKS_ADDRESSES_AND_RANGES, BLOCKS_ADDRESSES_ONLY, NEVER_BLOCKS, ANSWERS_500 }

  private void start(Behaviour behaviour) throws IOException {
    Map<String, Integer> failures = new ConcurrentHashMap<>();
    Set<String> blocked = ConcurrentHashMap.newKeySet();
    Map<String, Integer> blockedPerRange = new ConcurrentHashMap<>();
    Set<String> revoked = ConcurrentHashMap.newKeySet();
    stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stub.setExecutor(Executors.newFixedThreadPool(4));
    stub.createContext("/", ex -> {
      String path = ex.getRequestURI().getPath();
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String client = ex.getRemoteAddress().getAddress().getHostAddress();
      String range = SourceAddresses.rangeOf(client);
      String bearer = String.valueOf(ex.getRequestHeaders().getFirst("Authorization"));
      if (behaviour == Behaviour.ANSWERS_500) {
        answer(ex, 500, "{\"error\":\"internal\"}");
      } else if (path.equals("/auth/token")) {
        synchronized (failures) {
          if (blocked.contains(client) || blocked.contains(range)) {
            ex.getResponseHeaders().add("Retry-After", "900");
            answer(ex, 429, "{\"error\":\"too_many_requests\"}");
          } else if (body.contains("@demo.test")) {
            String token = "t-" + System.nanoTime();
            answer(ex, 200, "{\"access_token\":\"" + token + "\",\"refresh_token\":\"r\",\"expires_in\":3600}");
          } else {
            int n = failures.merge(client, 1, Integer::sum);
            if (n >= LIMIT && behaviour != Behaviour.NEVER_BLOCKS && blocked.add(client)
                && blockedPerRange.merge(range, 1, Integer::sum) >= RANGE_LIMIT
                && behaviour == Behaviour.BLOCKS_ADDRESSES_AND_RANGES) {
              blocked.add(range);
            }
            answer(ex, 401, "{\"error\":\"invalid_credentials\"}");
          }
        }
      } else if (path.equals("/logout")) {
        revoked.add(bearer);
        ex.sendResponseHeaders(204, -1);
        ex.close();
      } else if (bearer.startsWith("Bearer t-") && !revoked.contains(bearer)) {
        answer(ex, 200, "[]");
      } else {
        answer(ex, 401, "{\"error\":\"unauthorized\"}");
      }
    });
    stub.start();
  }

  private static void answer(HttpExchange ex, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
