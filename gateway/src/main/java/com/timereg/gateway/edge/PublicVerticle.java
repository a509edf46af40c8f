package com.timereg.gateway.edge;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One instance of the public HTTPS listener on its own event loop. Several instances share the
 * port, so connections spread over all event loops instead of queueing on one.
 */
final class PublicVerticle extends VerticleBase {
  private final HttpServerOptions options;
  private final Function<io.vertx.core.Vertx, Router> routerFactory;
  private final Consumer<HttpServer> onListening;

  PublicVerticle(HttpServerOptions options, Function<io.vertx.core.Vertx, Router> routerFactory,
      Consumer<HttpServer> onListening) {
    this.options = options;
    this.routerFactory = routerFactory;
    this.onListening = onListening;
  }

  @Override
  public Future<?> start() {
    Router router = routerFactory.apply(vertx);
    return vertx.createHttpServer(options).requestHandler(router).listen().onSuccess(onListening::accept);
  }
}
