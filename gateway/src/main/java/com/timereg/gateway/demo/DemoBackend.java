package com.timereg.gateway.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.Objects;
import picocli.CommandLine;

/**
 * A stand-in for the time-registration application behind the gateway: plain HTTP (HTTP/1.1 and h2c) with a
 * few JSON endpoints, an HTML page, a streaming echo and a WebSocket echo. It shows what the gateway
 * forwards (identity and X-Forwarded-* headers) and models a real backend's latency and response size for
 * load tests. Run it with {@code bin/demo-backend}.
 */
public final class DemoBackend {

  /**
   * @param latencyMs     added before every HTTP response, modelling the application's own work
   * @param responseBytes size of {@code GET /api/blob} when no {@code size} is given
   */
  public record Options(long latencyMs, long responseBytes) {
    public static final long DEFAULT_LATENCY_MS = 0;
    public static final long DEFAULT_RESPONSE_BYTES = 16 * 1024;
    /** Upper bound of a generated body, so a typo cannot make the demo stream for hours. */
    public static final long MAX_RESPONSE_BYTES = 1L << 30;
    public static final Options DEFAULTS = new Options(DEFAULT_LATENCY_MS, DEFAULT_RESPONSE_BYTES);

    public Options {
      if (latencyMs < 0) {
        throw new IllegalArgumentException("latency must not be negative");
      }
      if (responseBytes < 0 || responseBytes > MAX_RESPONSE_BYTES) {
        throw new IllegalArgumentException("response size must be between 0 and " + MAX_RESPONSE_BYTES);
      }
    }
  }

  private final Vertx vertx;
  private final Options options;
  private HttpServer server;

  public DemoBackend(Vertx vertx, Options options) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.options = Objects.requireNonNull(options, "options");
  }

  /** Listens on {@code host:port} (port 0 picks a free one) and completes with the bound port. */
  public Future<Integer> start(String host, int port) {
    HttpServer created = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
        .requestHandler(DemoRoutes.router(vertx, options));
    return created.listen().map(bound -> {
      server = bound;
      return bound.actualPort();
    });
  }

  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  public static void main(String[] args) {
    DemoBackendCommand command = new DemoBackendCommand();
    CommandLine commandLine = new CommandLine(command);
    int exit = commandLine.execute(args);
    // A started server keeps the JVM alive on Vert.x's threads; exit only for help, version or errors.
    if (exit != 0 || !command.started()) {
      System.exit(exit);
    }
  }
}
