package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code public.proxy-protocol: true}: a load balancer in front sends a PROXY protocol v1 line before the TLS
 * handshake, naming the client it accepted. Real connections from chosen 127.0.0.0/8 sources; 127.0.8.0/24
 * plays the load balancers ({@code client-address.trusted-proxies}). Each case covers both of the gateway's
 * paths: logins take the router, refusals of credential-less requests and authenticated GETs the connection's
 * own path ({@link ConnectionFastPath}).
 */
@ExtendWith(PostgresExtension.class)
class ProxyProtocolEndToEndTest {
  static final String USER = "proxied@acme.test";
  static final int LIMIT = 3;

  @TempDir static Path dir;
  static ThrottledGateway gw;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    gw = ThrottledGateway.startWithUser(dir, db, USER, Map.of(
        "GATEWAY_PUBLIC__PROXY_PROTOCOL", "true",
        "GATEWAY_THROTTLE__IP_FAILURE_LIMIT", Integer.toString(LIMIT),
        "GATEWAY_THROTTLE__SURGE_FAILURES_PER_MINUTE", "10000",
        "GATEWAY_CLIENT_ADDRESS__TRUSTED_PROXIES", "127.0.8.0/24"));
  }

  @AfterAll
  static void stop() {
    ThrottledGateway.closeIfStarted(gw);
  }

  @Test
  void theLoadBalancersProxyHeaderNamesTheClientThatIsCountedAndBlocked() throws Exception {
    for (int i = 0; i < LIMIT; i++) {
      assertThat(failedLogin("127.0.8.1", "127.0.31.1")).as("failure %d through the balancer", i + 1).isEqualTo(401);
    }
    assertThat(failedLogin("127.0.8.2", "127.0.31.1")).as("blocked, through any balancer").isEqualTo(429);
    assertThat(failedLogin("127.0.8.1", "127.0.31.2")).as("its neighbour is not").isEqualTo(401);
  }

  @Test
  void aProxyHeaderFromAPeerThatIsNoLoadBalancerNamesNobody() throws Exception {
    // 127.0.32.1 reaches the listener directly and claims to be a different client on each connection.
    for (int i = 1; i <= LIMIT; i++) {
      assertThat(failedLogin("127.0.32.1", "127.0.33." + i)).isEqualTo(401);
    }
    assertThat(failedLogin("127.0.32.1", "127.0.33.99"))
        .as("the block is on the real source, whatever its PROXY header claims").isEqualTo(429);
    assertThat(failedLogin("127.0.8.1", "127.0.33.1"))
        .as("the addresses it named were never counted").isEqualTo(401);
  }

  @Test
  void aBlockedProxiedClientIsRefusedOnTheConnectionsOwnPathAndItsNeighbourIsNot() throws Exception {
    for (int i = 0; i < LIMIT; i++) {
      assertThat(failedLogin("127.0.8.1", "127.0.35.1")).isEqualTo(401);
    }
    assertThat(status(exchange("127.0.8.1", proxyLine("127.0.35.1"), get("/api/timesheets", null))))
        .as("a request without credentials from the blocked client").isEqualTo(429);
    assertThat(status(exchange("127.0.8.1", proxyLine("127.0.35.2"), get("/api/timesheets", null))))
        .as("and from its neighbour, who only needs to log in").isEqualTo(401);
  }

  @Test
  void theBackendIsToldTheProxiedClientOnEitherPath() throws Exception {
    String tokenAnswer = exchange("127.0.8.1", proxyLine("127.0.36.1"), post("/auth/token",
        "{\"username\":\"" + USER + "\",\"password\":\"" + ThrottledGateway.PASSWORD + "\"}"));
    assertThat(status(tokenAnswer)).as(tokenAnswer).isEqualTo(200);
    String token = new io.vertx.core.json.JsonObject(tokenAnswer.substring(tokenAnswer.indexOf("\r\n\r\n") + 4))
        .getString("access_token");
    // An HTTP/1.1 GET with a bearer token is relayed by the connection's own path; an HTTP/1.0 one takes the
    // router's proxy step.
    String relayed = exchange("127.0.8.2", proxyLine("127.0.36.1"), get("/api/headers", token));
    assertThat(status(relayed)).as(relayed).isEqualTo(200);
    assertThat(relayed).contains("\"x-forwarded-for\":[\"127.0.36.1\"]").doesNotContain("127.0.8.");
    String routed = exchange("127.0.8.2", proxyLine("127.0.36.1"),
        get("/api/headers", token).replace("HTTP/1.1", "HTTP/1.0"));
    assertThat(routed).as(routed).startsWith("HTTP/1.0 200").contains("\"x-forwarded-for\":[\"127.0.36.1\"]")
        .doesNotContain("127.0.8.");
  }

  @Test
  void overHttp2TheBackendIsToldTheProxiedClientToo() throws Exception {
    String tokenAnswer = exchange("127.0.8.1", proxyLine("127.0.38.1"), post("/auth/token",
        "{\"username\":\"" + USER + "\",\"password\":\"" + ThrottledGateway.PASSWORD + "\"}"));
    String token = new io.vertx.core.json.JsonObject(tokenAnswer.substring(tokenAnswer.indexOf("\r\n\r\n") + 4))
        .getString("access_token");
    java.util.List<Object> frames = RawHttp2.exchange(gw.gateway().publicPort(), "127.0.8.4",
        proxyLine("127.0.38.1").getBytes(StandardCharsets.US_ASCII),
        new io.netty.handler.codec.http2.DefaultHttp2Headers().method("GET").scheme("https").authority("localhost")
            .path("/api/headers").add("authorization", "Bearer " + token));
    assertThat(frames).anyMatch(f -> f.toString().contains(":status: 200"))
        .anyMatch(f -> f.toString().contains("\"x-forwarded-for\":[\"127.0.38.1\"]"))
        .noneMatch(f -> f.toString().contains("127.0.8."));
  }

  @Test
  void aVersion2HeaderNamesTheClientLikeAVersion1Line() throws Exception {
    for (int i = 0; i < LIMIT; i++) {
      assertThat(status(exchange("127.0.8.1", proxyHeaderV2("127.0.39.1"), post("/auth/token",
          "{\"username\":\"nobody@acme.test\",\"password\":\"wrong password\"}")))).isEqualTo(401);
    }
    assertThat(failedLogin("127.0.8.2", "127.0.39.1")).as("the client the binary header named is blocked").isEqualTo(429);
  }

  /** A PROXY protocol version 2 header (binary): PROXY command, TCP over IPv4, from {@code claimed}:40000. */
  private static String proxyHeaderV2(String claimed) throws Exception {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(28);
    b.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
    b.put((byte) 0x21).put((byte) 0x11).putShort((short) 12);
    b.put(InetAddress.getByName(claimed).getAddress()).put(InetAddress.getByName("127.0.0.1").getAddress());
    b.putShort((short) 40000).putShort((short) 443);
    return new String(b.array(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void aConnectionWithoutAProxyHeaderGetsNoAnswer() throws Exception {
    // Every connection to a listener with the PROXY protocol on must start with the header: one without it
    // could be anyone's, so it is closed before TLS.
    String answer;
    try {
      answer = exchange("127.0.37.1", "", get("/api/timesheets", null));
    } catch (java.io.IOException closedDuringTls) {
      answer = "";
    }
    assertThat(answer).isEmpty();
  }

  @Test
  void aProxyHeaderTrickledAByteAtATimeIsCutOffTenSecondsAfterTheConnectionOpened() throws Exception {
    // Vert.x bounds the PROXY header with an idle timeout (10 s without a byte), so a header that arrives one
    // byte a second would keep its connection open before TLS for minutes (a v1 line may be 107 bytes long, a
    // v2 header 64 KiB):
    // a cheap way to hold on to connections. The bound is 10 s from accept, however the bytes arrive.
    byte[] header = proxyLine("127.0.40.1").getBytes(StandardCharsets.US_ASCII);
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.bind(new java.net.InetSocketAddress("127.0.8.5", 0));
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", gw.gateway().publicPort()));
      // Each read waits a second for the gateway to close the connection, which paces the bytes as well.
      socket.setSoTimeout(1000);
      boolean closed = false;
      for (int second = 0; second < 16 && !closed; second++) {
        try {
          socket.getOutputStream().write(header[second]); // never its end: 16 s, 16 of its 44 bytes
          socket.getOutputStream().flush();
          closed = socket.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException stillOpen) {
          // not closed yet
        } catch (java.io.IOException reset) {
          closed = true;
        }
      }
      assertThat(closed).as("the connection is closed although a byte arrived every second").isTrue();
    }
  }

  @Test
  void aBalancersHealthCheckWithoutAClientIsTheBalancerItself() throws Exception {
    String answer = exchange("127.0.8.3", "PROXY UNKNOWN\r\n", get("/api/timesheets", null));
    assertThat(status(answer)).as(answer).isEqualTo(401);
  }

  private static String proxyLine(String claimed) {
    return "PROXY TCP4 " + claimed + " 127.0.0.1 40000 443\r\n";
  }

  private static String get(String path, String token) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
        + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "Connection: close\r\n\r\n";
  }

  private static String post(String path, String json) {
    return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + json.length() + "\r\nConnection: close\r\n\r\n"
        + json;
  }

  private static int status(String answer) {
    return RawTls.status(answer);
  }

  /** A failing POST /auth/token on its own connection from {@code source}, whose PROXY line names {@code claimed}. */
  private static int failedLogin(String source, String claimed) throws Exception {
    String body = "{\"username\":\"nobody-" + UUID.randomUUID() + "@acme.test\",\"password\":\"wrong password\"}";
    String request = "POST /auth/token HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body;
    return status(exchange(source, proxyLine(claimed), request));
  }

  private static String exchange(String source, String proxyLine, String request) throws Exception {
    return RawTls.exchange(source, gw.gateway().publicPort(), proxyLine.getBytes(StandardCharsets.ISO_8859_1), request);
  }
}
