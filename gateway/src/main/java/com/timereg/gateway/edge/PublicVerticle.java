package com.timereg.gateway.edge;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import com.timereg.gateway.proxy.DirectProxy;
import com.timereg.gateway.proxy.ProxyHandler;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One instance of the public HTTPS listener on its own event loop. Several instances share the
 * port, so connections spread over all event loops instead of queueing on one.
 */
final class PublicVerticle extends VerticleBase {
  private final HttpServerOptions options;
  private final PublicRouter.Steps steps;
  private final Function<io.vertx.core.Vertx, ProxyHandler> proxyFactory;
  private final Consumer<HttpServer> onListening;
  private final OpenConnections connections;
  /** Counts the lingering closes ({@link LingeringClose#meter}). */
  private final io.micrometer.core.instrument.Counter lingered;
  private ProxyHandler proxy;

  PublicVerticle(HttpServerOptions options, PublicRouter.Steps steps,
      Function<io.vertx.core.Vertx, ProxyHandler> proxyFactory, Consumer<HttpServer> onListening,
      OpenConnections connections, io.micrometer.core.instrument.Counter lingered) {
    this.lingered = lingered;
    this.options = options;
    this.steps = steps;
    this.proxyFactory = proxyFactory;
    this.onListening = onListening;
    this.connections = connections;
  }

  @Override
  public Future<?> start() {
    // Created here, on this instance's event loop, so its backend connections live on it too.
    proxy = proxyFactory.apply(vertx);
    PublicEntry entry = PublicRouter.create(vertx, steps, proxy);
    HttpServer server = vertx.createHttpServer(options).requestHandler(entry)
        .invalidRequestHandler(entry::invalidRequest);
    String hsts = PublicRouter.hsts(steps.hstsMaxAge());
    DirectProxy direct = proxy.direct().orElse(null);
    List<String> owned = entry.ownedPrefixes();
    server.connectionHandler(connection -> {
      connections.add(connection);
      steps.clientAddress().connected(connection);
      StrictRequestDecoder.install(connection, options);
      ConnectionFastPath.install(connection, steps, hsts, direct, steps.session(), owned);
      LingeringClose.install(connection, lingered);
    });
    return server.listen().onSuccess(onListening::accept);
  }

  @Override
  public Future<?> stop() {
    return proxy == null ? Future.succeededFuture() : proxy.close();
  }
}
