package com.timereg.gateway.proxy;

import static com.timereg.gateway.proxy.ProxyTestBed.ALICE;
import static com.timereg.gateway.proxy.ProxyTestBed.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.proxy.ProxyTestBed.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What a buggy backend's answer turns into on the router's path, over both client protocols. */
@ExtendWith(VertxExtension.class)
class ProxyResponsePathTest {

  private ProxyTestBed bed;

  /** A backend that answers every request's head with {@code answer} (raw bytes), then does what it is told. */
  private static int rawBackend(Vertx vertx, String answer, Consumer<NetSocket> after) {
    return await(vertx.createNetServer().connectHandler(socket -> {
      StringBuilder seen = new StringBuilder();
      socket.handler(data -> {
        seen.append(data.toString(StandardCharsets.ISO_8859_1));
        if (seen.indexOf("\r\n\r\n") >= 0) {
          seen.setLength(0);
          socket.write(Buffer.buffer(answer.getBytes(StandardCharsets.ISO_8859_1)));
          after.accept(socket);
        }
      });
    }).listen(0, "127.0.0.1")).actualPort();
  }

  private Reply get(HttpVersion version, String uri) {
    return bed.reply(() -> bed.client(version).request(HttpMethod.GET, uri)
        .compose(request -> request.putHeader("Accept", "application/json").send()));
  }

  /**
   * A backend that fails after its head, before any of its body: the client gets the gateway's 502, framed by the
   * gateway and without the backend's headers. The backend's Content-Length stayed on the 502, so the client
   * waited for body bytes that never came (HTTP/1.1) or got a malformed stream (HTTP/2), and its Set-Cookie and
   * Content-Encoding went out on the gateway's answer.
   */
  @ParameterizedTest
  @EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"})
  void aBackendFailingAfterItsHeadGets502WithoutTheBackendsHeaders(HttpVersion version, Vertx vertx) {
    int port = rawBackend(vertx, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nContent-Encoding: gzip\r\n"
        + "Set-Cookie: tracking=1; Path=/\r\nETag: \"v1\"\r\n\r\n", NetSocket::close);
    // An earlier step's header (the edge sets HSTS so) stays on the gateway's answer.
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), rc -> {
      ProxyTestBed.signedIn(ALICE).handle(rc);
      rc.response().putHeader("Strict-Transport-Security", "max-age=60");
    });

    Reply reply = get(version, "/api/me");

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.body().toString()).contains("\"bad_gateway\"");
    assertThat(reply.response().getHeader("Content-Length"))
        .isEqualTo(Integer.toString(reply.body().length()));
    assertThat(reply.response().headers().names())
        .map(String::toLowerCase)
        .doesNotContain("set-cookie", "content-encoding", "etag");
    assertThat(reply.response().getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(reply.response().getHeader("Strict-Transport-Security")).isEqualTo("max-age=60");
  }

  /**
   * An interim answer other than 100 and 103 (here 102 Processing) is not the answer: the client gets the final
   * one, as on the direct path. Vert.x's client took the 102 for the final answer, so the client got a 1xx with
   * nothing after it and waited.
   */
  @ParameterizedTest
  @EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"})
  void anInterimAnswerIsSkippedAndTheFinalOneRelayed(HttpVersion version, Vertx vertx) {
    int port = rawBackend(vertx, "HTTP/1.1 102 Processing\r\n\r\n"
        + "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\ndone", socket -> {});
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));

    Reply first = get(version, "/api/me");
    Reply second = get(version, "/api/me");

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.body().toString()).isEqualTo("done");
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.body().toString()).isEqualTo("done");
  }

  /**
   * A 101 to a request that asked for no protocol switch is no answer to it: 502, as on the direct path, and the
   * backend connection is not used again. It went to the client as a 101 without Upgrade, which an HTTP/1.1
   * client takes for a switch to an unnamed protocol and HTTP/2 forbids.
   */
  @ParameterizedTest
  @EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"})
  void anUnrequestedProtocolSwitchAnswers502(HttpVersion version, Vertx vertx) {
    int port = rawBackend(vertx, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade"
        + "\r\n\r\n", socket -> {});
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));

    Reply reply = get(version, "/api/me");

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.body().toString()).contains("\"bad_gateway\"");
  }

  /**
   * The gateway's Strict-Transport-Security stands for the host (docs/proxy.md): a backend's own is dropped on a
   * WebSocket's 101 too, as on every other answer. The tunnel's 101 carried both, the backend's after the gateway's.
   */
  @org.junit.jupiter.api.Test
  void aWebSocketHandshakeCarriesOnlyTheGatewaysStrictTransportSecurity(Vertx vertx) {
    int port = await(vertx.createNetServer().connectHandler(socket -> {
      StringBuilder seen = new StringBuilder();
      socket.handler(data -> {
        seen.append(data.toString(StandardCharsets.ISO_8859_1));
        int end = seen.indexOf("\r\n\r\n");
        if (end >= 0 && seen.indexOf("HTTP/1.1") >= 0 && !seen.toString().startsWith("done")) {
          java.util.regex.Matcher key = java.util.regex.Pattern.compile("(?i)sec-websocket-key: *([^\r]+)")
              .matcher(seen);
          key.find();
          String accept = accept(key.group(1).trim());
          seen.setLength(0);
          seen.append("done");
          socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Accept: " + accept + "\r\n"
              + "Strict-Transport-Security: max-age=1\r\n\r\n");
        }
      });
    }).listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), rc -> {
      ProxyTestBed.signedIn(ALICE).handle(rc);
      rc.response().putHeader("Strict-Transport-Security", "max-age=60");
    });

    io.vertx.core.http.WebSocket socket = bed.call(() -> bed.webSocketClient().connect("/ws/echo"));

    assertThat(socket.headers().getAll("Strict-Transport-Security")).containsExactly("max-age=60");
  }

  private static String accept(String key) {
    try {
      byte[] sha1 = java.security.MessageDigest.getInstance("SHA-1")
          .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
      return java.util.Base64.getEncoder().encodeToString(sha1);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
