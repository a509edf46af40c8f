package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain (loopback) admin listener trusts whoever connects from this machine, so a local reverse proxy that
 * publishes only {@code /metrics} and {@code /health} must not become a way into {@code /admin/api}. If the
 * listener accepted an h2c upgrade ({@code Upgrade: h2c}) through such a proxy, the proxy would, as for any
 * 101 answer (WebSockets), tunnel the rest of the connection unchecked, and every HTTP/2 stream after the
 * first would reach the API as a local caller ("h2c smuggling"). The plain admin listener speaks HTTP/1.x only.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class AdminListenerH2cSmugglingTest {
  @TempDir Path dir;
  Gateway gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  @Test
  void aProxyPublishingOnlyMetricsCannotBeTunnelledIntoTheApi(Vertx vertx, TestDatabase db, VertxTestContext ctx)
      throws Exception {
    gateway = Gateway.start(TestGateways.config(dir, db, Map.of()));
    int adminPort = gateway.adminPort();
    NetServer proxy = vertx.createNetServer().connectHandler(front -> relay(vertx, front, adminPort));
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(true).setDefaultHost("127.0.0.1"));
    proxy.listen(0, "127.0.0.1")
        .compose(p -> client.request(HttpMethod.GET, p.actualPort(), "127.0.0.1", "/metrics")
            .compose(req -> req.send())
            .compose(resp -> resp.body().map(b -> resp.version()))
            .compose(version -> client.request(HttpMethod.POST, p.actualPort(), "127.0.0.1", "/admin/api/allowlist")
                .compose(req -> req.putHeader("X-Requested-With", "gateway-console")
                    .putHeader("Content-Type", "application/json")
                    .send("{\"target\":\"198.51.100.0/24\",\"note\":\"smuggled\"}"))
                .compose(resp -> resp.body().map(b -> version + " then " + resp.statusCode() + " " + b))
                .otherwise(e -> version + " then " + e)))
        .eventually(client::close)
        .eventually(proxy::close)
        .onComplete(ctx.succeeding(outcome -> ctx.verify(() -> {
          assertThat(gateway.throttle().registry().allowlist()).as(outcome)
              .noneMatch(a -> a.cidr().toString().equals("198.51.100.0/24"));
          assertThat(outcome).startsWith("HTTP_1_1");
          ctx.completeNow();
        })));
  }

  /**
   * The proxy: it lets a request through to the admin listener only for /metrics or /health, and, like any
   * proxy that carries WebSockets, tunnels a connection whose request the backend answered with 101.
   */
  private static void relay(Vertx vertx, NetSocket front, int adminPort) {
    Buffer head = Buffer.buffer();
    boolean[] connected = {false};
    boolean[] tunnel = {false};
    Buffer[] pending = {Buffer.buffer()};
    NetSocket[] back = {null};
    front.handler(chunk -> {
      if (tunnel[0]) {
        back[0].write(chunk);
        return;
      }
      if (connected[0]) {
        // A further request on a connection that was not upgraded: checked like the first.
        if (!allowed(chunk.toString(StandardCharsets.ISO_8859_1))) {
          refuse(front);
          return;
        }
        back[0].write(chunk);
        return;
      }
      head.appendBuffer(chunk);
      String text = head.toString(StandardCharsets.ISO_8859_1);
      if (!text.contains("\r\n\r\n")) {
        return;
      }
      if (!allowed(text)) {
        refuse(front);
        return;
      }
      connected[0] = true;
      front.pause();
      vertx.createNetClient().connect(adminPort, "127.0.0.1").onSuccess(b -> {
        back[0] = b;
        b.handler(answer -> {
          if (answer.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 101")) {
            tunnel[0] = true;
          }
          front.write(answer);
        });
        b.closeHandler(v -> front.close());
        front.closeHandler(v -> b.close());
        b.write(head);
        front.resume();
      }).onFailure(e -> front.close());
    });
  }

  private static boolean allowed(String request) {
    String line = request.lines().findFirst().orElse("");
    String[] parts = line.split(" ");
    return parts.length == 3 && (parts[1].equals("/metrics") || parts[1].startsWith("/health/"));
  }

  private static void refuse(NetSocket front) {
    front.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").onComplete(v -> front.close());
  }
}
