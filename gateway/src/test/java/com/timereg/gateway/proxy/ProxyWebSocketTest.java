package com.timereg.gateway.proxy;

import static com.timereg.gateway.proxy.ProxyTestBed.ALICE;
import static com.timereg.gateway.proxy.ProxyTestBed.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.demo.DemoBackend;
import com.timereg.gateway.proxy.ProxyTestBed.Reply;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
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
import com.timereg.gateway.testsupport.TrustAllTls;
import io.vertx.core.Context;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocket;
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

  /**
   * The client leaves in the moment between the backend's 101 and the gateway handing the client connection
   * over as a socket (Vert.x does that in a later event-loop task). Made deterministic by holding the gateway's
   * event loop while the backend's 101 and then the client's close arrive, so both are read in one turn, the
   * 101 first. The backend connection must be closed, and the tunnel not watched for ever. (This order is heard as the
   * client closing the spliced tunnel: the hand-over task runs before the close is read.)
   */
  @Test
  void aClientThatLeavesAsTheUpgradeCompletesLeavesNoTunnelBehind(Vertx vertx) throws Exception {
    Set<String> checked = ConcurrentHashMap.newKeySet();
    CountDownLatch secondChecked = new CountDownLatch(1);
    AtomicReference<Context> gatewayLoop = new AtomicReference<>();
    ForwardedIdentity leaving = new ForwardedIdentity("alice@example.com", "acme", "password", "session-3");
    ForwardedIdentity staying = new ForwardedIdentity("alice@example.com", "acme", "password", "session-4");
    try (ServerSocket backend = new ServerSocket(0, 2, InetAddress.getLoopbackAddress())) {
      bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(backend.getLocalPort()), rc -> {
        gatewayLoop.set(Vertx.currentContext());
        ProxyTestBed.signedIn(rc.request().path().equals("/ws/second") ? staying : leaving).handle(rc);
      }, session -> {
        checked.add(session);
        if (session.equals("session-4")) {
          secondChecked.countDown();
        }
        return false;
      }, Clock.systemUTC());

      SSLSocket client = handshake("/ws/first");
      try (Socket upstream = backend.accept()) {
        readHead(upstream.getInputStream());
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        gatewayLoop.get().runOnContext(hold -> {
          held.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        switchProtocols(upstream);
        client.close();
        release.countDown();

        upstream.setSoTimeout(10_000);
        assertThat(upstream.getInputStream().read()).as("the backend connection is closed").isEqualTo(-1);
      }

      // A second tunnel, which stays open: once its session has been checked, a check has run, and it would
      // have looked at the first tunnel too, were that still watched.
      try (SSLSocket second = handshake("/ws/second"); Socket upstream = backend.accept()) {
        readHead(upstream.getInputStream());
        switchProtocols(upstream);
        assertThat(secondChecked.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(checked).as("sessions whose tunnels are watched").containsExactly("session-4");
      }
    }
  }

  /**
   * {@code gateway.proxy.tunnels} counts a tunnel from its 101 until its client connection has closed, whichever
   * side ends it: the client, the backend, or the end of its session.
   */
  @Test
  void theOpenTunnelsGaugeReturnsToZeroHoweverATunnelEnds(Vertx vertx, VertxTestContext test) {
    Set<String> revoked = ConcurrentHashMap.newKeySet();
    ForwardedIdentity withSession = new ForwardedIdentity("alice@example.com", "acme", "password", "session-6");
    int port = await(vertx.createHttpServer().requestHandler(request -> request.toWebSocket().onSuccess(socket ->
        socket.textMessageHandler(text -> {
          if (text.equals("backend, close")) {
            socket.close();
          } else {
            socket.writeTextMessage(text);
          }
        }))).listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(withSession),
        revoked::contains, Clock.systemUTC());
    WebSocketClient client = bed.webSocketClient();

    bed.context.runOnContext(start -> openEchoed(client, test)
        .compose(first -> {
          test.verify(() -> assertThat(openTunnels()).isEqualTo(1.0));
          return first.close().compose(closed -> untilNoTunnels());
        })
        .compose(none -> openEchoed(client, test))
        .compose(second -> {
          Promise<Void> closed = Promise.promise();
          second.closeHandler(c -> closed.complete());
          second.writeTextMessage("backend, close");
          return closed.future().compose(c -> untilNoTunnels());
        })
        .compose(none -> openEchoed(client, test))
        .compose(third -> {
          Promise<Void> closed = Promise.promise();
          third.closeHandler(c -> closed.complete());
          revoked.add("session-6");
          return closed.future().compose(c -> untilNoTunnels());
        })
        .onComplete(test.succeedingThenComplete()));
  }

  private Future<WebSocket> openEchoed(WebSocketClient client, VertxTestContext test) {
    return client.connect("/ws/echo").compose(socket -> {
      Promise<WebSocket> echoed = Promise.promise();
      socket.textMessageHandler(text -> echoed.tryComplete(socket));
      socket.writeTextMessage("open");
      return echoed.future();
    });
  }

  private double openTunnels() {
    return bed.registry.get("gateway.proxy.tunnels").gauge().value();
  }

  /** Completes once the gauge reads 0 (the client connection's close is handled on the gateway's loop). */
  private Future<Void> untilNoTunnels() {
    Promise<Void> none = Promise.promise();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    bed.vertx.setPeriodic(10, id -> {
      if (openTunnels() == 0.0) {
        bed.vertx.cancelTimer(id);
        none.complete();
      } else if (System.nanoTime() > deadline) {
        bed.vertx.cancelTimer(id);
        none.fail("tunnels still open: " + openTunnels());
      }
    });
    return none.future();
  }

  /**
   * A client that stopped reading while the backend streams: the gateway stops reading from the backend once
   * the client's connection is full (back-pressure, so the backend's own writes stall), and when the session
   * ends, the close frame that cannot be delivered does not keep the tunnel: both connections close within a
   * bound. (Vert.x closes a connection only after flushing what is queued on it, which never happens here.)
   */
  @Test
  void aTunnelWhoseClientStoppedReadingIsClosedWhenItsSessionEnds(Vertx vertx) throws Exception {
    Set<String> revoked = ConcurrentHashMap.newKeySet();
    ForwardedIdentity withSession = new ForwardedIdentity("alice@example.com", "acme", "password", "session-5");
    CountDownLatch backendStalled = new CountDownLatch(1);
    CountDownLatch backendClosed = new CountDownLatch(1);
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    int port = await(vertx.createHttpServer().requestHandler(request -> request.toWebSocket().onSuccess(socket -> {
      socket.closeHandler(closed -> backendClosed.countDown());
      long[] lastWritten = {System.nanoTime()};
      Runnable[] stream = new Runnable[1];
      stream[0] = () -> {
        while (!socket.writeQueueFull()) {
          socket.writeBinaryMessage(chunk).onSuccess(written -> lastWritten[0] = System.nanoTime());
        }
        socket.drainHandler(drained -> stream[0].run());
      };
      stream[0].run();
      // Stalled: its queue has stayed full for a while, the gateway no longer reading from it.
      vertx.setPeriodic(50, id -> {
        if (socket.writeQueueFull() && System.nanoTime() - lastWritten[0] > TimeUnit.MILLISECONDS.toNanos(500)) {
          vertx.cancelTimer(id);
          backendStalled.countDown();
        }
      });
    })).listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(withSession),
        revoked::contains, Clock.systemUTC());

    try (SSLSocket client = (SSLSocket) TrustAllTls.context().getSocketFactory().createSocket()) {
      client.setReceiveBufferSize(8 * 1024);
      client.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), bed.port));
      client.startHandshake();
      client.getOutputStream().write(("GET /ws/stream HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      client.getOutputStream().flush();
      readHead(client.getInputStream());
      // From here on the client reads nothing.
      assertThat(backendStalled.await(30, TimeUnit.SECONDS)).as("the gateway stops reading from the backend").isTrue();
      assertThat(openTunnels()).isEqualTo(1.0);

      revoked.add("session-5");

      assertThat(backendClosed.await(10, TimeUnit.SECONDS)).as("the backend connection is closed").isTrue();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (openTunnels() != 0.0 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(openTunnels()).as("the client connection is closed too").isEqualTo(0.0);
    }
  }

  /**
   * Each tunnel holds a backend connection: a session's tunnels beyond {@code backend.max-tunnels-per-session}
   * are refused with 429 before the backend sees them, and a tunnel that closes gives its place back.
   */
  @Test
  void aSessionsTunnelsBeyondTheCapAreRefusedBeforeTheBackend(Vertx vertx, VertxTestContext test) {
    java.util.concurrent.atomic.AtomicInteger handshakes = new java.util.concurrent.atomic.AtomicInteger();
    ForwardedIdentity withSession = new ForwardedIdentity("alice@example.com", "acme", "password", "session-7");
    int port = await(vertx.createHttpServer().requestHandler(request -> {
      handshakes.incrementAndGet();
      request.toWebSocket().onSuccess(socket -> socket.textMessageHandler(socket::writeTextMessage));
    }).listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port).withMaxTunnelsPerSession(2),
        ProxyTestBed.signedIn(withSession), session -> false, Clock.systemUTC());
    WebSocketClient client = bed.webSocketClient();

    bed.context.runOnContext(start -> openEchoed(client, test)
        .compose(first -> openEchoed(client, test).compose(second -> client.connect("/ws/third")
            .transform(third -> {
              test.verify(() -> {
                assertThat(third.failed()).as("the third tunnel is refused").isTrue();
                assertThat(third.cause()).isInstanceOf(io.vertx.core.http.UpgradeRejectedException.class);
                assertThat(((io.vertx.core.http.UpgradeRejectedException) third.cause()).getStatus()).isEqualTo(429);
                assertThat(handshakes.get()).as("handshakes the backend saw").isEqualTo(2);
              });
              return first.close();
            })))
        .compose(closed -> untilTunnels(1))
        .compose(one -> openEchoed(client, test))
        .onComplete(test.succeeding(again -> test.verify(() -> {
          assertThat(handshakes.get()).isEqualTo(3);
          test.completeNow();
        }))));
  }

  @Test
  void tunnelsWithoutSessionBeyondTheCapPerClientAddressAreRefusedBeforeTheBackend(Vertx vertx, VertxTestContext test) {
    java.util.concurrent.atomic.AtomicInteger handshakes = new java.util.concurrent.atomic.AtomicInteger();
    int port = await(vertx.createHttpServer().requestHandler(request -> {
      handshakes.incrementAndGet();
      request.toWebSocket().onSuccess(socket -> socket.textMessageHandler(socket::writeTextMessage));
    }).listen(0, "127.0.0.1")).actualPort();
    // A public path: no identity, only the client address the gateway resolved (another one for /ws/other).
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port).withMaxTunnelsPerSession(2),
        rc -> ProxyHints.putClientAddress(rc, rc.request().path().equals("/ws/other") ? "198.51.100.9" : "203.0.113.7"));
    WebSocketClient client = bed.webSocketClient();

    bed.context.runOnContext(start -> openEchoed(client, test)
        .compose(first -> openEchoed(client, test).compose(second -> client.connect("/ws/third")
            .transform(third -> {
              test.verify(() -> {
                assertThat(third.failed()).as("the address's third tunnel is refused").isTrue();
                assertThat(third.cause()).isInstanceOf(io.vertx.core.http.UpgradeRejectedException.class);
                assertThat(((io.vertx.core.http.UpgradeRejectedException) third.cause()).getStatus()).isEqualTo(429);
                assertThat(handshakes.get()).as("handshakes the backend saw").isEqualTo(2);
              });
              return client.connect("/ws/other");
            })
            .compose(other -> {
              test.verify(() -> assertThat(handshakes.get()).as("another address is not held up").isEqualTo(3));
              return other.close().compose(v -> first.close());
            })))
        .compose(closed -> untilTunnels(1))
        .compose(one -> openEchoed(client, test))
        .onComplete(test.succeeding(again -> test.verify(() -> {
          assertThat(handshakes.get()).isEqualTo(4);
          test.completeNow();
        }))));
  }

  @Test
  void tunnelsWithoutSessionFromOneIpv6SubnetShareTheCapOfTheirAddress(Vertx vertx, VertxTestContext test) {
    java.util.concurrent.atomic.AtomicInteger handshakes = new java.util.concurrent.atomic.AtomicInteger();
    int port = await(vertx.createHttpServer().requestHandler(request -> {
      handshakes.incrementAndGet();
      request.toWebSocket().onSuccess(socket -> socket.textMessageHandler(socket::writeTextMessage));
    }).listen(0, "127.0.0.1")).actualPort();
    // One subscriber's /64 holds 2^64 addresses it may pick from at will, as the throttle counts it
    // (client-address.ipv6-client-prefix): each tunnel from another address of it counts against the same cap.
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port).withMaxTunnelsPerSession(2),
        rc -> ProxyHints.putClientAddress(rc, switch (rc.request().path()) {
          case "/ws/second" -> "2001:db8:7:1::2";
          case "/ws/third" -> "2001:db8:7:1:ffff:ffff:ffff:ffff";
          case "/ws/other" -> "2001:db8:7:2::1";
          default -> "2001:db8:7:1::1";
        }));
    WebSocketClient client = bed.webSocketClient();

    bed.context.runOnContext(start -> openEchoed(client, test)
        .compose(first -> client.connect("/ws/second").compose(second -> client.connect("/ws/third")
            .transform(third -> {
              test.verify(() -> {
                assertThat(third.failed()).as("a third tunnel from the same /64 is refused").isTrue();
                assertThat(third.cause()).isInstanceOf(io.vertx.core.http.UpgradeRejectedException.class);
                assertThat(((io.vertx.core.http.UpgradeRejectedException) third.cause()).getStatus()).isEqualTo(429);
                assertThat(handshakes.get()).as("handshakes the backend saw").isEqualTo(2);
              });
              return client.connect("/ws/other");
            })
            .compose(other -> {
              test.verify(() -> assertThat(handshakes.get()).as("another /64 is not held up").isEqualTo(3));
              return other.close().compose(v -> second.close()).compose(v -> first.close());
            })))
        .compose(closed -> untilNoTunnels())
        .onComplete(test.succeedingThenComplete()));
  }

  private Future<Void> untilTunnels(int count) {
    Promise<Void> reached = Promise.promise();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    bed.vertx.setPeriodic(10, id -> {
      if (openTunnels() == count) {
        bed.vertx.cancelTimer(id);
        reached.complete();
      } else if (System.nanoTime() > deadline) {
        bed.vertx.cancelTimer(id);
        reached.fail("tunnels open: " + openTunnels());
      }
    });
    return reached.future();
  }

  /**
   * The backend began the closing handshake (its close frame relayed to the client, which has not answered yet)
   * when the session ends: the client has its close code already, and gets no second close frame from the
   * gateway (RFC 6455 5.5.1: one close frame, and nothing after it), only the end of the connection.
   */
  @Test
  void aClientThatHasTheBackendsCloseFrameGetsNoSecondOneWhenItsSessionEnds(Vertx vertx) throws Exception {
    byte[] normalClosure = {(byte) 0x88, 0x02, 0x03, (byte) 0xE8};
    relayedCloseFrameThenTheSessionEnds(vertx, "session-11", true, normalClosure);
  }

  /**
   * When the gateway ends a tunnel for its own reason, the backend is told too, with a close frame (RFC 6455
   * 7.1.1) carrying the same code as the client's: its application sees its client leave because the session
   * ended (1008) or the node stops (1001), not an abnormal closure (1006) it would take for a network failure.
   */
  @Test
  void theBackendGetsACloseFrameWith1008WhenTheSessionOfItsTunnelEnds(Vertx vertx, VertxTestContext test) {
    Set<String> revoked = ConcurrentHashMap.newKeySet();
    ForwardedIdentity withSession = new ForwardedIdentity("alice@example.com", "acme", "password", "session-12");
    Promise<Short> backendClosed = Promise.promise();
    int port = echoBackendTellingItsCloseCode(vertx, backendClosed);
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(withSession),
        revoked::contains, Clock.systemUTC());

    WebSocketClient client = bed.webSocketClient();
    bed.context.runOnContext(start -> openEchoed(client, test).onComplete(test.succeeding(socket -> {
      Promise<Short> clientClosed = Promise.promise();
      socket.closeHandler(closed -> clientClosed.tryComplete(socket.closeStatusCode()));
      revoked.add("session-12");
      Future.all(backendClosed.future(), clientClosed.future()).onComplete(test.succeeding(both -> test.verify(() -> {
        assertThat(backendClosed.future().result()).as("the backend's close code").isEqualTo((short) 1008);
        assertThat(clientClosed.future().result()).as("the client's close code").isEqualTo((short) 1008);
        test.completeNow();
      })));
    })));
  }

  /** A stopping node tells a tunnel's backend that its client is going away (1001), as it tells the client. */
  @Test
  void theBackendGetsACloseFrameWith1001WhenTheListenerStops(Vertx vertx, VertxTestContext test) {
    Promise<Short> backendClosed = Promise.promise();
    int port = echoBackendTellingItsCloseCode(vertx, backendClosed);
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));

    WebSocketClient client = bed.webSocketClient();
    bed.context.runOnContext(start -> openEchoed(client, test).onComplete(test.succeeding(socket -> {
      Promise<Short> clientClosed = Promise.promise();
      socket.closeHandler(closed -> clientClosed.tryComplete(socket.closeStatusCode()));
      bed.server.shutdown(10, TimeUnit.SECONDS);
      Future.all(backendClosed.future(), clientClosed.future()).onComplete(test.succeeding(both -> test.verify(() -> {
        assertThat(backendClosed.future().result()).as("the backend's close code").isEqualTo((short) 1001);
        assertThat(clientClosed.future().result()).as("the client's close code").isEqualTo((short) 1001);
        test.completeNow();
      })));
    })));
  }

  /**
   * The client began the closing handshake (its close frame relayed to the backend, which has not answered
   * yet) when the session ends: the backend has the client's close code, and gets no second close frame.
   */
  @Test
  void aBackendThatHasTheClientsCloseFrameGetsNoSecondOneWhenItsSessionEnds(Vertx vertx) throws Exception {
    // 1000 (normal closure), masked as a client's frame must be.
    byte[] normalClosure = {(byte) 0x88, (byte) 0x82, 0x11, 0x22, 0x33, 0x44, 0x03 ^ 0x11, (byte) (0xE8 ^ 0x22)};
    relayedCloseFrameThenTheSessionEnds(vertx, "session-13", false, normalClosure);
  }

  /**
   * One end sends its close frame, which the other gets as sent; then the tunnel's session ends: the end that got
   * the close frame must get nothing more (RFC 6455 5.5.1: one close frame, nothing after it).
   */
  private void relayedCloseFrameThenTheSessionEnds(Vertx vertx, String session, boolean backendCloses,
      byte[] closeFrame) throws Exception {
    Set<String> revoked = ConcurrentHashMap.newKeySet();
    try (ServerSocket backend = new ServerSocket(0, 2, InetAddress.getLoopbackAddress());
        RawTunnel tunnel = openRawTunnel(vertx, backend, session, revoked)) {
      Socket closing = backendCloses ? tunnel.upstream() : tunnel.client();
      Socket told = backendCloses ? tunnel.client() : tunnel.upstream();
      String whose = backendCloses ? "the backend's" : "the client's";
      closing.getOutputStream().write(closeFrame);
      closing.getOutputStream().flush();
      told.setSoTimeout(10_000);
      assertThat(told.getInputStream().readNBytes(closeFrame.length)).as(whose + " close frame").isEqualTo(closeFrame);

      revoked.add(session);

      assertThat(rest(told.getInputStream())).as("what the other end got after " + whose + " close frame").isEmpty();
    }
  }

  /**
   * The gateway parses no message and caps no message size (as nginx): what a client sends goes to the backend
   * at the pace the backend reads it, and no faster. An anonymous client on a public path pushing to a backend
   * that reads nothing is held up once the connections' buffers are full (its own writes stall), not buffered
   * in the gateway's memory; the backend's own message limits stay the backend's to apply.
   */
  @Test
  void aClientPushingToABackendThatReadsNothingIsHeldUpNotBuffered(Vertx vertx) throws Exception {
    long bound = 64L * 1024 * 1024;
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    long[] written = {0};
    long[] issued = {0};
    CountDownLatch clientStalled = new CountDownLatch(1);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    try (ServerSocket backend = new ServerSocket()) {
      backend.setReceiveBufferSize(8 * 1024);
      backend.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2);
      bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(backend.getLocalPort()), ProxyTestBed.publicPath());
      WebSocketClient client = bed.webSocketClient();
      bed.context.runOnContext(start -> client.connect("/ws/upload").onComplete(connected -> {
        if (connected.failed()) {
          failed.set(connected.cause());
          clientStalled.countDown();
          return;
        }
        WebSocket socket = connected.result();
        long[] lastWritten = {System.nanoTime()};
        Runnable[] push = new Runnable[1];
        push[0] = () -> {
          // A few messages in flight at a time: the client's own queue holds no more than that.
          while (issued[0] - written[0] < 8L * chunk.length() && issued[0] < bound) {
            issued[0] += chunk.length();
            socket.writeBinaryMessage(chunk).onSuccess(done -> {
              written[0] += chunk.length();
              lastWritten[0] = System.nanoTime();
              push[0].run();
            });
          }
        };
        push[0].run();
        bed.vertx.setPeriodic(50, id -> {
          // Stalled: messages handed over, and none of them written for a while.
          boolean stalled = issued[0] > written[0] && System.nanoTime() - lastWritten[0] > TimeUnit.MILLISECONDS.toNanos(500);
          if (stalled || written[0] >= bound) {
            bed.vertx.cancelTimer(id);
            clientStalled.countDown();
          }
        });
      }));
      try (Socket upstream = backend.accept()) {
        acceptHandshake(upstream);
        // From here on the backend reads nothing.
        assertThat(clientStalled.await(60, TimeUnit.SECONDS)).as("the client's writes stall").isTrue();
        assertThat(failed.get()).isNull();
        assertThat(written[0]).as("bytes the client got through to a backend that read none").isLessThan(bound);
      }
    }
  }

  /** The bytes {@code in} gives until its end (or until its connection fails), within its timeout. */
  private static byte[] rest(InputStream in) {
    java.io.ByteArrayOutputStream read = new java.io.ByteArrayOutputStream();
    try {
      for (int b = in.read(); b != -1; b = in.read()) {
        read.write(b);
      }
    } catch (java.net.SocketTimeoutException e) {
      throw new AssertionError("the connection is still open", e);
    } catch (java.io.IOException closedHard) {
      // A reset ends it too.
    }
    return read.toByteArray();
  }

  /**
   * RFC 8441's WebSocket over HTTP/2 (extended CONNECT, {@code :protocol websocket}): the gateway does not
   * advertise it, and a client that tries it all the same gets a plain refusal on its stream, not a hang.
   */
  @Test
  void anHttp2ExtendedConnectIsRefusedOnItsStream(Vertx vertx) throws Exception {
    int port = await(new DemoBackend(vertx, DemoBackend.Options.DEFAULTS).start("127.0.0.1", 0));
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));
    io.netty.handler.codec.http2.DefaultHttp2Headers headers = new io.netty.handler.codec.http2.DefaultHttp2Headers();
    headers.method("CONNECT").scheme("https").authority("localhost").path("/ws/echo");
    headers.set(":protocol", "websocket");
    headers.set("sec-websocket-version", "13");

    java.util.List<Object> frames = Http2Frames.send(bed.port, headers);

    // A stream error (PROTOCOL_ERROR, RFC 8441 section 3: :protocol without the setting is malformed), not a
    // GOAWAY for the connection; a browser then opens its WebSocket over HTTP/1.1.
    assertThat(frames).hasSize(1);
    assertThat(frames.get(0)).isInstanceOf(io.netty.handler.codec.http2.Http2ResetFrame.class);
    assertThat(((io.netty.handler.codec.http2.Http2ResetFrame) frames.get(0)).errorCode())
        .isEqualTo(io.netty.handler.codec.http2.Http2Error.PROTOCOL_ERROR.code());
  }

  /** A tunnel through the gateway to a raw backend socket, both ends past the 101; closing closes both. */
  private record RawTunnel(SSLSocket client, Socket upstream) implements AutoCloseable {
    @Override
    public void close() throws java.io.IOException {
      try (client; upstream) {
        // both closed, whichever throws
      }
    }
  }

  /** Starts the bed for a session of Alice's that is revoked once {@code revoked} holds it, and opens a tunnel. */
  private RawTunnel openRawTunnel(Vertx vertx, ServerSocket backend, String session, Set<String> revoked)
      throws Exception {
    ForwardedIdentity withSession = new ForwardedIdentity("alice@example.com", "acme", "password", session);
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(backend.getLocalPort()),
        ProxyTestBed.signedIn(withSession), revoked::contains, Clock.systemUTC());
    SSLSocket client = handshake("/ws/closing");
    Socket upstream = backend.accept();
    readHead(upstream.getInputStream());
    switchProtocols(upstream);
    readHead(client.getInputStream());
    return new RawTunnel(client, upstream);
  }

  /** A WebSocket echo backend that completes {@code closed} with the close code it got; its port. */
  private static int echoBackendTellingItsCloseCode(Vertx vertx, Promise<Short> closed) {
    return await(vertx.createHttpServer().requestHandler(request -> request.toWebSocket().onSuccess(socket -> {
      socket.closeHandler(v -> closed.tryComplete(socket.closeStatusCode()));
      socket.textMessageHandler(socket::writeTextMessage);
    })).listen(0, "127.0.0.1")).actualPort();
  }

  private SSLSocket handshake(String path) throws Exception {
    SSLSocket client = (SSLSocket) TrustAllTls.context().getSocketFactory()
        .createSocket(InetAddress.getLoopbackAddress(), bed.port);
    client.startHandshake();
    client.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    client.getOutputStream().flush();
    return client;
  }

  private static void switchProtocols(Socket upstream) throws java.io.IOException {
    OutputStream toGateway = upstream.getOutputStream();
    toGateway.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    toGateway.flush();
  }

  /** Answers the handshake on {@code upstream} with the 101 a real client checks (its key's accept value). */
  private static void acceptHandshake(Socket upstream) throws Exception {
    java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
    InputStream in = upstream.getInputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      assertThat(b).isNotEqualTo(-1);
      head.write(b);
    }
    java.util.regex.Matcher key = java.util.regex.Pattern.compile("(?im)^sec-websocket-key:\\s*(\\S+)")
        .matcher(head.toString(StandardCharsets.US_ASCII));
    assertThat(key.find()).isTrue();
    String accept = java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-1")
        .digest((key.group(1) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
    upstream.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    upstream.getOutputStream().flush();
  }

  private static void readHead(InputStream in) throws java.io.IOException {
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      assertThat(b).isNotEqualTo(-1);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
  }
}
