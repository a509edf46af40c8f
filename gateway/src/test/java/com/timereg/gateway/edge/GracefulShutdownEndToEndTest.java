package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import com.timereg.gateway.testsupport.SourceClient;
import com.timereg.gateway.testsupport.TrustAllTls;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.Promise;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping the gateway (SIGTERM, {@link Gateway#stop}) while requests are in flight, as a rolling deploy does:
 * readiness turns 503 at once, the listener takes no new connections, idle connections close, and every
 * request already being answered gets its whole answer (HTTP/1.1 with {@code Connection: close}, HTTP/2 after
 * a GOAWAY) before the gateway stops, on the direct path and through the router alike; only what outlasts
 * {@code public.shutdown-grace} is cut. Behind the gateway, a backend that holds every request until the test
 * lets it answer.
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class GracefulShutdownEndToEndTest {
  static final String USER = "gus@e2e.test";
  static final String PASSWORD = "Gus-drains-connections-2026";

  @TempDir static Path dir;
  static Vertx vertx;
  static TestDatabase database;
  HoldingBackend backend;
  E2eGateway gw;
  String token;

  @BeforeAll
  static void users(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    database = db;
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(20_000).hash(PASSWORD), true);
  }

  @AfterEach
  void stopGateway() {
    if (gw != null) {
      gw.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  @AfterAll
  static void stopVertx() {
    Await.await(vertx.close());
  }

  private void start(String name, String grace) throws Exception {
    start(name, Map.of("GATEWAY_PUBLIC__SHUTDOWN_GRACE", grace));
  }

  private void start(String name, Map<String, String> env) throws Exception {
    backend = HoldingBackend.start(vertx);
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("GATEWAY_BACKEND__URL", "http://127.0.0.1:" + backend.port());
    gw = E2eGateway.start(dir.resolve(name), database, vertx, -1, all);
    token = gw.accessToken(USER, PASSWORD);
  }

  private String get(String path, String extra) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token + "\r\n" + extra + "\r\n";
  }

  /** Stops the gateway on a thread of its own (the common pool may have a single thread, and others' work). */
  private CompletableFuture<Void> stopInBackground() {
    return CompletableFuture.runAsync(gw.gateway::stop, task -> new Thread(task, "test-stop").start());
  }

  @Test
  void aRequestRelayedInTheConnectionIsAnsweredInFullBeforeTheGatewayStops() throws Exception {
    start("direct", "20s");
    double direct = direct();
    answeredInFullWhileStopping("127.0.91.1", "/api/hold/direct",
        () -> assertThat(direct() - direct).as("relayed in the connection, not routed").isEqualTo(1));
  }

  @Test
  void aRequestAnsweredThroughTheRouterIsAnsweredInFullBeforeTheGatewayStops() throws Exception {
    start("routed", "20s");
    double direct = direct();
    // Percent-encoding keeps the request off the direct path: the router's proxy step relays it.
    answeredInFullWhileStopping("127.0.91.2", "/api/%68old/routed", () -> assertThat(direct() - direct).isZero());
  }

  /**
   * Sends a request the backend holds, stops the gateway, and checks that it drains: no new connections,
   * readiness 503, the stop waiting; then the whole answer, saying the connection closes, and the stop ends.
   */
  private void answeredInFullWhileStopping(String source, String path, Runnable whichWay) throws Exception {
    try (Conn c = Conn.open(source, gw.gateway.publicPort())) {
      c.send(get(path, ""));
      backend.awaitHeld(1);
      whichWay.run();

      CompletableFuture<Void> stopping = stopInBackground();
      awaitRefused(gw.gateway.publicPort());
      assertThat(readiness()).as("out of the load balancer while it drains").startsWith("503").contains("STOPPING");
      assertThat(stopping).as("waits for the request in flight").isNotDone();

      backend.release();
      String answer = c.readToEnd();
      assertThat(RawTls.statuses(answer)).containsExactly(200);
      assertThat(answer).containsIgnoringCase("connection: close").endsWith("released " + path);
      stopping.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void anHttp2StreamInFlightIsAnsweredAfterAGoAwayBeforeTheGatewayStops() throws Exception {
    start("h2", "20s");
    HttpClientAgent h2 = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setSsl(true).setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2)
            .setTrustOptions(new PemTrustOptions().addCertPath(gw.certFile.toString()))
            .setDefaultHost("localhost").setDefaultPort(gw.gateway.publicPort()))
        .withConnectHandler(connection -> goAways(connection))
        .build();
    try {
      Future<String> answer = h2.request(HttpMethod.GET, "/api/hold/h2")
          .compose(req -> req.putHeader("Authorization", "Bearer " + token).send())
          .compose(resp -> resp.body().map(body -> resp.version() + " " + resp.statusCode() + " " + body));
      backend.awaitHeld(1);

      CompletableFuture<Void> stopping = stopInBackground();
      awaitRefused(gw.gateway.publicPort());
      assertThat(stopping).isNotDone();
      // The GOAWAY goes out once the listener has closed, so it is awaited while the stream is still held: asserted
      // only after the answer, it raced the answer's frames when the backend was released first.
      GOAWAY_SEEN.get(10, TimeUnit.SECONDS);
      assertThat(answer.isComplete()).as("the stream in flight is still open after the GOAWAY").isFalse();

      backend.release();
      assertThat(Await.await(answer)).isEqualTo("HTTP_2 200 released /api/hold/h2");
      stopping.get(10, TimeUnit.SECONDS);
    } finally {
      h2.close();
    }
  }

  /** Completed when the HTTP/2 client is told to open no new streams. */
  private static final CompletableFuture<Void> GOAWAY_SEEN = new CompletableFuture<>();

  private static void goAways(HttpConnection connection) {
    connection.goAwayHandler(goAway -> GOAWAY_SEEN.complete(null));
  }

  @Test
  void idleConnectionsCloseAtOnceWhileARequestInFlightIsStillBeingAnswered() throws Exception {
    start("idle", "20s");
    try (Conn idle = Conn.open("127.0.91.3", gw.gateway.publicPort());
         Conn busy = Conn.open("127.0.91.4", gw.gateway.publicPort())) {
      idle.send(get("/api/quick", ""));
      assertThat(idle.readResponse()).startsWith("HTTP/1.1 200").endsWith("quick /api/quick");
      busy.send(get("/api/hold/busy", ""));
      backend.awaitHeld(1);

      CompletableFuture<Void> stopping = stopInBackground();
      assertThat(idle.readToEnd()).as("closed without another word").isEmpty();
      assertThat(stopping).isNotDone();

      backend.release();
      assertThat(RawTls.statuses(busy.readToEnd())).containsExactly(200);
      stopping.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aRequestPipelinedBehindTheOneInFlightIsNeitherRelayedNorAnswered() throws Exception {
    start("pipelined", "20s");
    try (Conn c = Conn.open("127.0.91.5", gw.gateway.publicPort())) {
      c.send(get("/api/hold/first", "") + get("/api/quick/second", ""));
      backend.awaitHeld(1);

      CompletableFuture<Void> stopping = stopInBackground();
      awaitRefused(gw.gateway.publicPort());
      backend.release();
      String answer = c.readToEnd();
      assertThat(RawTls.statuses(answer)).as("the client was told the connection closes after it").containsExactly(200);
      assertThat(answer).containsIgnoringCase("connection: close").endsWith("released /api/hold/first");
      stopping.get(10, TimeUnit.SECONDS);
      assertThat(backend.paths).containsExactly("/api/hold/first");
    }
  }

  @Test
  void duringTheShutdownDelayReadinessSaysStoppingWhileNewConnectionsAreStillServed() throws Exception {
    start("delay", Map.of("GATEWAY_PUBLIC__SHUTDOWN_DELAY", "2s"));
    CompletableFuture<Void> stopping = stopInBackground();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!readiness().startsWith("503")) {
      assertThat(System.nanoTime()).as("readiness turns 503").isLessThan(deadline);
      Await.await(vertx.timer(20));
    }
    assertThat(readiness()).contains("STOPPING");
    try (Conn late = Conn.open("127.0.91.7", gw.gateway.publicPort())) {
      late.send(get("/api/quick/late", ""));
      assertThat(late.readResponse()).startsWith("HTTP/1.1 200").endsWith("quick /api/quick/late");
    }
    assertThat(stopping).isNotDone();
    stopping.get(15, TimeUnit.SECONDS);
  }

  @Test
  void anOpenWebSocketIsClosedWhenTheDrainBeginsRatherThanHoldingTheStopForTheGrace() throws Exception {
    start("websocket", "60s");
    WebSocketClient ws = tunnelClient();
    try {
      WebSocket socket = echoingTunnel(ws);
      Promise<Void> closed = Promise.promise();
      socket.closeHandler(closed::tryComplete);

      CompletableFuture<Void> stopping = stopInBackground();
      Await.await(closed.future());
      // A tunnel may stay open for hours; the stop does not wait the 60 s grace for it.
      stopping.get(15, TimeUnit.SECONDS);
    } finally {
      Await.await(ws.close());
    }
  }

  private WebSocketClient tunnelClient() {
    return vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(gw.certFile.toString())));
  }

  /** A tunnel of the signed-in user's to the backend's echo, which has echoed one message. */
  private WebSocket echoingTunnel(WebSocketClient ws) throws Exception {
    WebSocket socket = Await.await(ws.connect(new WebSocketConnectOptions().setHost("localhost")
        .setPort(gw.gateway.publicPort()).setSsl(true).setURI("/ws/echo")
        .addHeader("Authorization", "Bearer " + token)));
    Promise<String> echoed = Promise.promise();
    socket.textMessageHandler(echoed::tryComplete);
    socket.writeTextMessage("still here");
    assertThat(Await.await(echoed.future())).isEqualTo("still here");
    return socket;
  }

  /**
   * A stopping node tells each tunnel's client why it goes (RFC 6455 7.4.1: 1001, going away, "such as a server going
   * down"), as it tells one whose session ended (1008): a browser's {@code onclose} can tell a stop, after which it
   * reconnects at once (to another node), from a network failure (1006).
   */
  @Test
  void anOpenWebSocketIsClosedWith1001WhenTheNodeStops() throws Exception {
    start("websocket-1001", "60s");
    WebSocketClient ws = tunnelClient();
    try {
      WebSocket socket = echoingTunnel(ws);
      Promise<Short> closed = Promise.promise();
      socket.closeHandler(v -> closed.tryComplete(socket.closeStatusCode()));

      CompletableFuture<Void> stopping = stopInBackground();
      assertThat(Await.await(closed.future())).as("the close code the client got").isEqualTo((short) 1001);
      stopping.get(15, TimeUnit.SECONDS);
    } finally {
      Await.await(ws.close());
    }
  }

  /**
   * The connections the drain waits for are counted by their channel's end: a connection turned into a WebSocket
   * tunnel never has its HTTP close handler called, and counted by that it would stay counted for ever.
   */
  @Test
  void aClosedWebSocketTunnelIsNoOpenConnectionAnyMore() throws Exception {
    start("websocket-count", "60s");
    WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(gw.certFile.toString())));
    // The login's connection, kept alive by the test's client, is counted too.
    int before = gw.gateway.openConnections();
    try {
      WebSocket socket = Await.await(ws.connect(new WebSocketConnectOptions().setHost("localhost")
          .setPort(gw.gateway.publicPort()).setSsl(true).setURI("/ws/echo")
          .addHeader("Authorization", "Bearer " + token)));
      Promise<String> echoed = Promise.promise();
      socket.textMessageHandler(echoed::tryComplete);
      socket.writeTextMessage("counted");
      assertThat(Await.await(echoed.future())).isEqualTo("counted");
      assertThat(gw.gateway.openConnections()).isEqualTo(before + 1);
      Await.await(socket.close());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (gw.gateway.openConnections() > before && System.nanoTime() < deadline) {
        Await.await(vertx.timer(20));
      }
      assertThat(gw.gateway.openConnections()).as("open connections after the tunnel closed").isEqualTo(before);
    } finally {
      Await.await(ws.close());
    }
  }

  @Test
  void aRequestThatOutlastsTheGraceIsCutAndTheGatewayStopsAnyway() throws Exception {
    start("grace", "1s");
    try (Conn c = Conn.open("127.0.91.6", gw.gateway.publicPort())) {
      c.send(get("/api/hold/forever", ""));
      backend.awaitHeld(1);

      CompletableFuture<Void> stopping = stopInBackground();
      stopping.get(15, TimeUnit.SECONDS);
      assertThat(c.readToEnd()).as("no answer, and no partial one").isEmpty();
    }
  }

  @Test
  void requestsCutAtTheEndOfTheGraceStillHaveTheirAccessLogLines() throws Exception {
    // Their lines are logged as the cut connections close, which Gateway.stop did not wait for before closing the
    // access log: they could come after its writer's last pass and be lost, uncounted.
    Path log = dir.resolve("cut-access.log");
    start("cut-logged", Map.of("GATEWAY_PUBLIC__SHUTDOWN_GRACE", "1s", "GATEWAY_PUBLIC__ACCESS_LOG", log.toString()));
    try (Conn direct = Conn.open("127.0.91.30", gw.gateway.publicPort());
        Conn routed = Conn.open("127.0.91.31", gw.gateway.publicPort())) {
      direct.send(get("/api/hold/cut-direct", ""));
      routed.send(get("/api/%68old/cut-routed", ""));
      backend.awaitHeld(2);

      stopInBackground().get(15, TimeUnit.SECONDS);
      List<io.vertx.core.json.JsonObject> lines = java.nio.file.Files.readAllLines(log).stream()
          .map(io.vertx.core.json.JsonObject::new).toList();
      assertThat(lines).as("relayed in the connection").anySatisfy(line -> {
        assertThat(line.getString("client")).isEqualTo("127.0.91.30");
        assertThat(line.getString("path")).isEqualTo("/api/hold/cut-direct");
        assertThat(line.getInteger("status")).isEqualTo(499);
      });
      assertThat(lines).as("through the router").anySatisfy(line -> {
        assertThat(line.getString("client")).isEqualTo("127.0.91.31");
        assertThat(line.getString("path")).isEqualTo("/api/%68old/cut-routed");
      });
    }
  }

  /**
   * A connection taken before the drain whose TLS handshake ends after it began (a slow client, or one that
   * connected and waited) became an HTTP connection that no drain had told to stop: idle, it held the stop for
   * the whole of public.shutdown-grace (or until the idle timeout), here an hour.
   */
  @Test
  void aConnectionWhoseHandshakeEndsAfterTheDrainBeganDoesNotHoldTheStop() throws Exception {
    start("late-handshake", Map.of("GATEWAY_PUBLIC__SHUTDOWN_GRACE", "1h", "GATEWAY_PUBLIC__IDLE_TIMEOUT", "1h"));
    int port = gw.gateway.publicPort();
    try (Socket tcp = new Socket()) {
      tcp.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      CompletableFuture<Void> stopping = stopInBackground();
      awaitRefused(port);
      // Bounded: a connection still in its handshake when the stop has ended is left to the process's end, unanswered
      // (this JVM goes on), and the handshake would wait for good.
      tcp.setSoTimeout(5000);
      SSLSocket tls = (SSLSocket) TrustAllTls.context().getSocketFactory().createSocket(tcp, "localhost", port, true);
      boolean cut = false;
      try {
        tls.startHandshake();
      } catch (javax.net.ssl.SSLException | java.net.SocketException | java.net.SocketTimeoutException e) {
        // The drain was already over (no HTTP connection left) and Vert.x closed: cut mid-handshake (an SSLException,
        // or a broken pipe / reset when the close came while the client wrote its Finished), or never answered, also
        // fine; what matters is that the stop did not wait for it.
        cut = true;
      }
      stopping.get(15, TimeUnit.SECONDS);
      if (!cut) {
        assertThat(closed(tls)).as("the connection is closed, unanswered").isTrue();
      }
    }
  }

  /**
   * A client that connects and never finishes its handshake (TCP only, or half a ClientHello) has nothing in flight:
   * the stop does not wait for it, whatever public.shutdown-grace says. (Before, Vert.x's 10 s handshake timeout
   * ended the wait, within this test's bound: a guard, not the proof, which is the test above.)
   */
  @Test
  void aHandshakeThatNeverEndsDoesNotHoldTheStop() throws Exception {
    start("half-handshake", Map.of("GATEWAY_PUBLIC__SHUTDOWN_GRACE", "1h", "GATEWAY_PUBLIC__IDLE_TIMEOUT", "1h"));
    int port = gw.gateway.publicPort();
    try (Socket silent = new Socket(); Socket halfHello = new Socket()) {
      silent.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      halfHello.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      // A TLS record header announcing a handshake message that never comes.
      halfHello.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
      halfHello.getOutputStream().flush();
      CompletableFuture<Void> stopping = stopInBackground();
      stopping.get(15, TimeUnit.SECONDS);
    }
  }

  // --- helpers ---

  private double direct() {
    try (SourceClient admin = SourceClient.admin(vertx, gw.gateway.adminPort())) {
      return SourceClient.sample(admin.metrics(), "gateway_proxy_direct_total");
    }
  }

  private String readiness() {
    try (SourceClient admin = SourceClient.admin(vertx, gw.gateway.adminPort())) {
      SourceClient.Reply r = admin.get("/health/ready", Map.of());
      return r.status() + " " + r.body();
    }
  }

  /** Whether the other end has closed the connection (an end of stream, a reset, a cut handshake). */
  private static boolean closed(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    try {
      return socket.getInputStream().read() == -1;
    } catch (java.net.SocketTimeoutException open) {
      return false;
    } catch (IOException resetOrCut) {
      return true;
    }
  }

  /** Waits (bounded) until the listener takes no new connections. */
  private static void awaitRefused(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      } catch (ConnectException refused) {
        return;
      }
      Await.await(vertx.timer(20));
    }
    throw new AssertionError("port " + port + " still takes connections");
  }

  /** A backend that answers {@code /api/quick...} at once and holds every other request until released. */
  static final class HoldingBackend {
    final List<String> paths = new CopyOnWriteArrayList<>();
    private final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final Context context;

    private HoldingBackend(HttpServer server, Context context) {
      this.server = server;
      this.context = context;
    }

    static HoldingBackend start(Vertx vertx) {
      Context context = vertx.getOrCreateContext();
      HoldingBackend[] self = new HoldingBackend[1];
      HttpServer server = vertx.createHttpServer().requestHandler(req -> {
        self[0].paths.add(req.uri());
        if (req.uri().equals("/ws/echo")) {
          req.toWebSocket().onSuccess(ws -> ws.textMessageHandler(ws::writeTextMessage));
        } else if (req.uri().startsWith("/api/quick")) {
          req.response().putHeader("Content-Type", "text/plain").end("quick " + req.uri());
        } else {
          self[0].held.add(req);
        }
      });
      self[0] = new HoldingBackend(server, context);
      Await.await(server.listen(0, "127.0.0.1"));
      return self[0];
    }

    int port() {
      return server.actualPort();
    }

    void awaitHeld(int n) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (held.size() < n) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the backend holds " + held.size() + " requests, not " + n);
        }
        Await.await(context.owner().timer(10));
      }
    }

    void release() {
      for (HttpServerRequest req : held) {
        req.response().putHeader("Content-Type", "text/plain").end("released " + req.uri());
      }
      held.clear();
    }

    void close() {
      Await.await(server.close());
    }
  }

  /** One raw HTTP/1.1 connection over TLS from a chosen 127.0.0.0/8 source. */
  static final class Conn implements AutoCloseable {
    private final Socket plain;
    private final SSLSocket socket;
    private final InputStream in;

    private Conn(Socket plain, SSLSocket socket) throws IOException {
      this.plain = plain;
      this.socket = socket;
      this.in = socket.getInputStream();
    }

    static Conn open(String source, int port) throws Exception {
      Socket plain = new Socket();
      plain.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
      plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      plain.setSoTimeout(15_000);
      SSLSocket socket = (SSLSocket) TrustAllTls.context().getSocketFactory().createSocket(plain, "localhost", 0, true);
      socket.startHandshake();
      return new Conn(plain, socket);
    }

    void send(String text) throws IOException {
      socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
    }

    /** Everything until the server closes the connection (a reset counts as closed). */
    String readToEnd() throws IOException {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          all.write(buffer, 0, n);
        }
      } catch (java.net.SocketTimeoutException e) {
        throw new AssertionError("the connection is still open; read so far: " + all, e);
      } catch (java.net.SocketException e) {
        // reset: closed
      }
      return all.toString(StandardCharsets.UTF_8);
    }

    /** One response with a Content-Length body, leaving the connection open. */
    String readResponse() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new AssertionError("closed in the response head: " + head);
        }
        head.write(b);
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
      if (!m.find()) {
        throw new AssertionError("no Content-Length in " + text);
      }
      byte[] body = in.readNBytes(Integer.parseInt(m.group(1)));
      return text + new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
      try {
        socket.close();
      } finally {
        plain.close();
      }
    }
  }
}
