package com.timereg.gateway.proxy;

import com.timereg.gateway.testsupport.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A TLS front listener routed the way the gateway routes: a stand-in authentication step (which pauses the
 * request, records what it decided and continues asynchronously, as real session checks do) and then the
 * proxy as the last step.
 */
final class ProxyTestBed {

  static final ForwardedIdentity ALICE = new ForwardedIdentity("alice@example.com", "acme", "password");
  /** What the client-address step would have resolved: deliberately not the socket peer (127.0.0.1). */
  static final String RESOLVED_CLIENT = "198.51.100.7";

  /** One key pair for every test: generating RSA keys per test costs more than the tests themselves. */
  private static final SelfSignedCertificate CERTIFICATE = SelfSignedCertificate.create("localhost");

  final Vertx vertx;
  final SelfSignedCertificate certificate;
  final SimpleMeterRegistry registry;
  final ProxyHandler proxy;
  final int port;
  /** The front listener (its shutdown is a node's stop, as far as the proxy can tell). */
  final HttpServer server;
  /** The context every client call of a test starts on. */
  final Context context;
  /**
   * Vert.x closes a client once it is unreachable, even mid-request: the bed keeps its clients, and tests
   * keep the bed in a field for as long as they run.
   */
  private final List<Object> clients = new ArrayList<>();

  private ProxyTestBed(Vertx vertx, SelfSignedCertificate certificate, SimpleMeterRegistry registry,
      ProxyHandler proxy, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
    this.registry = registry;
    this.context = vertx.getOrCreateContext();
    this.certificate = certificate;
    this.proxy = proxy;
    this.port = server.actualPort();
  }

  /** Front listener proxying to {@code backend}, with {@code authStep} deciding identity and client address. */
  static ProxyTestBed start(Vertx vertx, ProxySettings settings, Handler<RoutingContext> authStep) {
    return start(vertx, settings, authStep, false);
  }

  /**
   * As {@link #start(Vertx, ProxySettings, Handler)}; with {@code readsBody} the stand-in step reads the whole
   * request body before continuing (as a globally mounted BodyHandler would), the wiring mistake the proxy
   * must not turn into a silently empty upload.
   */
  static ProxyTestBed start(Vertx vertx, ProxySettings settings, Handler<RoutingContext> authStep,
      boolean readsBody) {
    return start(vertx, settings, authStep, readsBody, Long.MAX_VALUE);
  }

  /** As above, refusing request bodies over {@code maxBodyBytes}. */
  static ProxyTestBed start(Vertx vertx, ProxySettings settings, Handler<RoutingContext> authStep,
      boolean readsBody, long maxBodyBytes) {
    return start(vertx, settings, authStep, readsBody, maxBodyBytes, session -> false, Clock.systemUTC());
  }

  /** As above, the proxy's tunnels ending by {@code sessionRevoked} and by expiry on {@code clock}. */
  static ProxyTestBed start(Vertx vertx, ProxySettings settings, Handler<RoutingContext> authStep,
      Predicate<String> sessionRevoked, Clock clock) {
    return start(vertx, settings, authStep, false, Long.MAX_VALUE, sessionRevoked, clock);
  }

  private static ProxyTestBed start(Vertx vertx, ProxySettings settings, Handler<RoutingContext> authStep,
      boolean readsBody, long maxBodyBytes, Predicate<String> sessionRevoked, Clock clock) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ProxyHandler proxy = ProxyHandler.create(vertx, settings, new MicrometerProxyMetrics(registry), maxBodyBytes,
        sessionRevoked, clock);
    SelfSignedCertificate certificate = CERTIFICATE;
    Router router = Router.router(vertx);
    router.route().handler(rc -> {
      authStep.handle(rc);
      if (readsBody) {
        rc.request().body().onComplete(read -> rc.next());
      } else {
        rc.request().pause();
        vertx.getOrCreateContext().runOnContext(next -> rc.next());
      }
    });
    router.route().handler(proxy);
    HttpServer server = vertx.createHttpServer(new HttpServerOptions()
            .setSsl(true)
            .setUseAlpn(true)
            .setKeyCertOptions(certificate.keyCertOptions()))
        .requestHandler(router);
    await(server.listen(0, "127.0.0.1"));
    return new ProxyTestBed(vertx, certificate, registry, proxy, server);
  }

  /** The authentication step of a signed-in user whose client address was resolved behind a trusted proxy. */
  static Handler<RoutingContext> signedIn(ForwardedIdentity identity) {
    return rc -> {
      ForwardedIdentity.put(rc, identity);
      ProxyHints.putClientAddress(rc, RESOLVED_CLIENT);
    };
  }

  static Handler<RoutingContext> publicPath() {
    return rc -> ProxyHints.putClientAddress(rc, RESOLVED_CLIENT);
  }

  static ProxySettings settingsFor(int backendPort) {
    return ProxySettings.defaults(URI.create("http://127.0.0.1:" + backendPort));
  }

  /**
   * One HTTP/1.1 connection per event loop to the backend at {@code backendPort}, a wait queue of {@code waitQueue}
   * and the given connect timeout: for the tests of what waits for a connection.
   */
  static ProxySettings oneConnection(int backendPort, int waitQueue, Duration connectTimeout) {
    return new ProxySettings(URI.create("http://127.0.0.1:" + backendPort), Optional.empty(), Optional.empty(),
        Optional.empty(), 1, waitQueue, false, connectTimeout, Duration.ofSeconds(30), Duration.ofSeconds(15),
        List.of(), ProxySettings.DEFAULT_GATEWAY_COOKIE_PREFIX);
  }

  HttpClient client(HttpVersion version) {
    return keep(vertx.createHttpClient(new HttpClientOptions()
        .setSsl(true)
        .setUseAlpn(true)
        .setProtocolVersion(version)
        .setTrustOptions(certificate.trustOptions())
        .setDefaultHost("localhost")
        .setDefaultPort(port)));
  }

  WebSocketClient webSocketClient() {
    return keep(vertx.createWebSocketClient(new WebSocketClientOptions()
        .setSsl(true)
        .setTrustOptions(certificate.trustOptions())
        .setDefaultHost("localhost")
        .setDefaultPort(port)));
  }

  private <T> T keep(T client) {
    clients.add(client);
    return client;
  }

  /** A response with its whole body, read in the same event-loop turn the response arrived in. */
  record Reply(HttpClientResponse response, Buffer body) {
    int status() {
      return response.statusCode();
    }
  }

  /**
   * Runs a client call on the bed's context (see {@link Await#await(Context, java.util.function.Supplier)}) and
   * reads the body as the response arrives: a handler set later, from the test thread, could miss it.
   */
  Reply reply(Supplier<Future<HttpClientResponse>> call) {
    return Await.await(context, () -> call.get().compose(r -> r.body().map(body -> new Reply(r, body))));
  }

  /** Runs a client call on the bed's context and waits for its result. */
  <T> T call(Supplier<Future<T>> call) {
    return Await.await(context, call);
  }

  static <T> T await(Future<T> future) {
    return Await.await(future);
  }

  /** A port nothing listens on: bound once, then closed. */
  static int closedPort(Vertx vertx) {
    HttpServer server = await(vertx.createHttpServer().requestHandler(r -> {}).listen(0, "127.0.0.1"));
    int port = server.actualPort();
    await(server.close());
    return port;
  }
}
