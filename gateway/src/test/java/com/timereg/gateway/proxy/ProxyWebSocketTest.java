package com.timereg.gateway.proxy;

import static com.timereg.gateway.proxy.ProxyTestBed.ALICE;
import static com.timereg.gateway.proxy.ProxyTestBed.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.demo.DemoBackend;
import com.timereg.gateway.proxy.ProxyTestBed.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import com.timereg.gateway.testsupport.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** WebSocket upgrades tunnel through the proxy with the same header hygiene as plain requests. */
@ExtendWith(VertxExtension.class)
class ProxyWebSocketTest {

  private ProxyTestBed bed;

  @Test
  void textAndBinaryMessagesEchoThroughTheProxy(Vertx vertx, VertxTestContext test) {
    int port = await(new DemoBackend(vertx, DemoBackend.Options.DEFAULTS).start("127.0.0.1", 0));
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));
    byte[] bytes = new byte[256 * 1024];
    new Random(7).nextBytes(bytes);
    Buffer binary = Buffer.buffer(bytes);

    WebSocketClient client = bed.webSocketClient();
    bed.context.runOnContext(start -> client.connect("/ws/echo").onComplete(test.succeeding(socket -> {
      socket.textMessageHandler(text -> test.verify(() -> {
        assertThat(text).isEqualTo("hello through the gateway");
        socket.writeBinaryMessage(binary);
      }));
      socket.binaryMessageHandler(echoed -> test.verify(() -> {
        assertThat(echoed).isEqualTo(binary);
        socket.close().onComplete(test.succeedingThenComplete());
      }));
      socket.writeTextMessage("hello through the gateway");
    })));
  }

  @Test
  void handshakeCarriesTheGatewaysIdentityAndNotTheClients(Vertx vertx, VertxTestContext test) {
    int port = await(vertx.createHttpServer().requestHandler(request -> request.toWebSocket().onSuccess(socket ->
        socket.writeTextMessage(new JsonObject()
            .put("user", request.headers().getAll("x-authenticated-user"))
            .put("forwardedFor", request.headers().getAll("x-forwarded-for"))
            .put("cookie", request.headers().getAll("cookie"))
            .encode()))).listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));
    WebSocketConnectOptions options = new WebSocketConnectOptions().setURI("/ws/anything")
        .addHeader("X-Authenticated-User", "mallory")
        .addHeader("X-Forwarded-For", "203.0.113.99")
        .addHeader("Cookie", "__Host-gw-session=token; theme=dark");

    WebSocketClient client = bed.webSocketClient();
    bed.context.runOnContext(start -> client.connect(options).onComplete(test.succeeding((WebSocket socket) ->
        socket.textMessageHandler(text -> test.verify(() -> {
          JsonObject seen = new JsonObject(text);
          assertThat(seen.getJsonArray("user")).containsExactly("alice@example.com");
          assertThat(seen.getJsonArray("forwardedFor")).containsExactly(ProxyTestBed.RESOLVED_CLIENT);
          assertThat(seen.getJsonArray("cookie")).containsExactly("theme=dark");
          test.completeNow();
        })))));
  }

  @Test
  void aRefusedUpgradeReachesTheClientAsTheBackendsResponse(Vertx vertx) {
    int port = await(vertx.createHttpServer().requestHandler(request ->
        request.response().setStatusCode(403).end("no sockets here")).listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));

    Reply reply = bed.reply(() -> bed.client(HttpVersion.HTTP_1_1).request(HttpMethod.GET, "/ws/echo").compose(request ->
        request.putHeader("Connection", "Upgrade").putHeader("Upgrade", "websocket")
            .putHeader("Sec-WebSocket-Version", "13").putHeader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
            .send()));

    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.body().toString()).isEqualTo("no sockets here");
  }

  /**
   * A tunnel carries no credentials after its handshake: when the access token that authenticated it expires
   * (by the sessions' clock), the tunnel ends with a close frame saying why (1008, policy violation), and the
   * client reconnects with a fresh token. Before that, it stays open.
   */
  @Test
  void aTunnelEndsWith1008WhenTheAccessTokenOfItsHandshakeExpires(Vertx vertx, VertxTestContext test) {
    ManualClock clock = ManualClock.startingNow();
    ForwardedIdentity expiring = new ForwardedIdentity("alice@example.com", "acme", "password", "session-1",
        clock.instant().plus(Duration.ofMinutes(5)));
    int port = await(new DemoBackend(vertx, DemoBackend.Options.DEFAULTS).start("127.0.0.1", 0));
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(expiring),
        session -> false, clock);

    WebSocketClient client = bed.webSocketClient();
    bed.context.runOnContext(start -> client.connect("/ws/echo").onComplete(test.succeeding(socket -> {
      socket.closeHandler(closed -> test.verify(() -> {
        assertThat(socket.closeStatusCode()).isEqualTo((short) 1008);
        test.completeNow();
      }));
      socket.textMessageHandler(text -> {
        if (text.equals("before expiry")) {
          clock.advance(Duration.ofMinutes(5).minusSeconds(1));
          socket.writeTextMessage("a second before");
        } else {
          clock.advance(Duration.ofSeconds(1));
        }
      });
      socket.writeTextMessage("before expiry");
    })));
  }

  /** A revoked session's tunnel also ends with a close frame that says why. */
  @Test
  void aRevokedSessionsTunnelEndsWith1008(Vertx vertx, VertxTestContext test) {
    Set<String> revoked = ConcurrentHashMap.newKeySet();
    ForwardedIdentity withSession = new ForwardedIdentity("alice@example.com", "acme", "password", "session-2");
    int port = await(new DemoBackend(vertx, DemoBackend.Options.DEFAULTS).start("127.0.0.1", 0));
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(withSession),
        revoked::contains, Clock.systemUTC());

    WebSocketClient client = bed.webSocketClient();
    bed.context.runOnContext(start -> client.connect("/ws/echo").onComplete(test.succeeding(socket -> {
      socket.closeHandler(closed -> test.verify(() -> {
        assertThat(socket.closeStatusCode()).isEqualTo((short) 1008);
        test.completeNow();
      }));
      socket.textMessageHandler(text -> revoked.add("session-2"));
      socket.writeTextMessage("before the logout");
    })));
  }
}
